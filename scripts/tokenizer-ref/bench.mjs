// Throughput of the reference JavaScript tokenizer, printed for `verifier bench tokenizer` to compare with.
// Usage: node bench.mjs ASSET_DIR/tokenizers TEXT_FILE  ->  lines "name<TAB>MB/s<TAB>tokens/s<TAB>tokens"
import { Tokenizer } from "@huggingface/tokenizers";
import fs from "fs";
const [,, dir, textFile] = process.argv;
const text = fs.readFileSync(textFile, "utf8");
const bytes = Buffer.byteLength(text, "utf8");
for (const d of ["deepseek_v3", "qwen3", "llama3_1"]) {
  const t = new Tokenizer(JSON.parse(fs.readFileSync(`${dir}/${d}/tokenizer.json`)), JSON.parse(fs.readFileSync(`${dir}/${d}/tokenizer_config.json`)));
  t.encode(text.slice(0, 100000), { add_special_tokens: false });
  const t0 = process.hrtime.bigint();
  const n = t.encode(text, { add_special_tokens: false }).ids.length;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${d}\t${(bytes / 1e6 / s).toFixed(3)}\t${Math.round(n / s)}\t${n}`);
}
