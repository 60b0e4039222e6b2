namespace Verifier.Targets.Onnx.Graph;

using System.Globalization;

/// <summary>ONNX TensorProto.DataType values used here.</summary>
public static class OnnxDataType
{
    public const int Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8, Bool = 9,
        Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, BFloat16 = 16, Float8E4M3FN = 17, Float8E4M3FNUZ = 18,
        Float8E5M2 = 19, Float8E5M2FNUZ = 20, UInt4 = 21, Int4 = 22;

    public static string Name(int type) => type switch
    {
        Float => "float32", UInt8 => "uint8", Int8 => "int8", UInt16 => "uint16", Int16 => "int16", Int32 => "int32",
        Int64 => "int64", String => "string", Bool => "bool", Float16 => "float16", Double => "float64", UInt32 => "uint32",
        UInt64 => "uint64", BFloat16 => "bfloat16", Float8E4M3FN => "float8e4m3fn", Float8E4M3FNUZ => "float8e4m3fnuz",
        Float8E5M2 => "float8e5m2", Float8E5M2FNUZ => "float8e5m2fnuz", UInt4 => "uint4", Int4 => "int4", _ => $"type{type}",
    };

    /// <summary>Storage bits per element (0 when variable, e.g. strings).</summary>
    public static int Bits(int type) => type switch
    {
        Float or Int32 or UInt32 => 32,
        Int64 or UInt64 or Double => 64,
        Float16 or BFloat16 or Int16 or UInt16 => 16,
        UInt8 or Int8 or Bool or Float8E4M3FN or Float8E4M3FNUZ or Float8E5M2 or Float8E5M2FNUZ => 8,
        UInt4 or Int4 => 4,
        _ => 0,
    };

    public static bool IsFloat(int type) => type is Float or Float16 or BFloat16 or Double;
}

/// <summary>Where an initializer's bytes live: inside the model file (offset into it) or in an external-data file.</summary>
public sealed record TensorData(bool External, string? Location, long Offset, long Length);

/// <summary>An initializer's metadata; its bytes are referenced (<see cref="Data"/>), never loaded.</summary>
public sealed record OnnxTensor(string Name, int DataType, IReadOnlyList<long> Dims, TensorData? Data)
{
    public long ElementCount => Dims.Aggregate(1L, (a, d) => a * d);
    public string TypeName => OnnxDataType.Name(DataType);
}

/// <summary>One dimension of a value's shape: a number, a symbolic name, or unknown.</summary>
public sealed record OnnxDim(long? Value, string? Param)
{
    public override string ToString() => Value?.ToString(CultureInfo.InvariantCulture) ?? Param ?? "?";
}

/// <summary>A graph input or output with its element type and (possibly symbolic) shape.</summary>
public sealed record OnnxValueInfo(string Name, int ElementType, IReadOnlyList<OnnxDim>? Shape)
{
    public string TypeName => OnnxDataType.Name(ElementType);
}

/// <summary>A node attribute; only scalars, strings and int lists are kept (tensors and subgraphs are skipped).</summary>
public sealed record OnnxAttr(string Name, long? Int, float? Float, string? String, IReadOnlyList<long>? Ints);

public sealed record OnnxNode(string Name, string OpType, string Domain, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<OnnxAttr> Attributes)
{
    public long? IntAttr(string name) => Attributes.FirstOrDefault(a => a.Name == name)?.Int;
}

public sealed record OnnxOpset(string Domain, long Version);

/// <summary>The parts of an ONNX ModelProto that inspection needs.</summary>
public sealed record OnnxGraph(
    long IrVersion,
    string Producer,
    IReadOnlyList<OnnxOpset> Opsets,
    IReadOnlyList<OnnxNode> Nodes,
    IReadOnlyList<OnnxTensor> Initializers,
    IReadOnlyList<OnnxValueInfo> Inputs,
    IReadOnlyList<OnnxValueInfo> Outputs);
