// Reference encodings for the unseen-text test: reads {"text"} rows (JSONL) on stdin and prints, per row,
// {"deepseek_v3": ids, "qwen": ids, "llama3": ids} from @huggingface/tokenizers (add_special_tokens: false).
// Usage: node encode.mjs ASSET_DIR/tokenizers < rows.jsonl
import { Tokenizer } from "@huggingface/tokenizers";
import fs from "fs";
const dir = process.argv[2];
const load = d => new Tokenizer(JSON.parse(fs.readFileSync(`${dir}/${d}/tokenizer.json`)), JSON.parse(fs.readFileSync(`${dir}/${d}/tokenizer_config.json`)));
const toks = { deepseek_v3: load("deepseek_v3"), qwen: load("qwen3"), llama3: load("llama3_1") };
const out = fs.readFileSync(0, "utf8").split("\n").filter(l => l.length > 0).map(l => {
  const text = JSON.parse(l).text;
  return JSON.stringify(Object.fromEntries(Object.entries(toks).map(([k, t]) => [k, t.encode(text, { add_special_tokens: false }).ids])));
});
process.stdout.write(out.join("\n") + "\n");
