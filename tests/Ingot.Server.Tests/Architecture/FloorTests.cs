using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Ingot.Server.Tests.Architecture;

/// <summary>Reads the compiled server (every type's base, interfaces, fields, signatures, attributes and the IL of every
/// method, lambdas and async state machines included) and fails on any reference from one folder to another that
/// <see cref="Floors"/> does not allow: a lower floor using a higher one, or one feature using another outside the table.</summary>
public sealed class FloorTests
{
    private const string Root = "Ingot.Server.";

    private static readonly Lazy<IReadOnlyList<(string From, string To, string Where)>> Edges = new(ReadEdges);

    [Fact]
    public void No_folder_uses_another_outside_the_allowed_edges()
    {
        var bad = Edges.Value.Where(e => !Floors.Allowed[e.From].ContainsKey(e.To))
            .GroupBy(e => (e.From, e.To))
            .Select(g => $"{g.Key.From} → {g.Key.To}: {string.Join(", ", g.Select(e => e.Where).Distinct().Order().Take(5))}")
            .ToList();
        Assert.True(bad.Count == 0, "Edges outside Floors.Allowed:\n" + string.Join("\n", bad));
    }

    [Fact]
    public void Every_folder_of_the_server_is_in_the_table()
    {
        var unknown = Types().Select(t => Folder(t.Namespace)).OfType<string>().Distinct().Where(f => !Floors.Allowed.ContainsKey(f)).ToList();
        Assert.True(unknown.Count == 0, $"Folders missing from Floors.Allowed: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void Nothing_uses_the_composition_root_and_the_kernel_uses_nothing() =>
        Assert.Empty(Edges.Value.Where(e => e.To == "Hosting" || e.From == "Api").Select(e => $"{e.From} → {e.To} ({e.Where})"));

    [Fact]
    public void The_reader_sees_edges_the_server_has()
    {
        // So that the tests above cannot pass by reading nothing: edges known to exist must be found.
        var found = Edges.Value.Select(e => (e.From, e.To)).ToHashSet();
        Assert.Contains(("Jobs", "Inventory"), found);   // TransitionStep → Transitions
        Assert.Contains(("Boot", "Jobs"), found);        // BootEndpoints → JobEventRow
        Assert.Contains(("Hosting", "Batches"), found);  // ServerHost maps the batches
        Assert.Contains(("Inventory", "Api"), found);
    }

    private static IEnumerable<TypeDefinition> Types()
    {
        var module = ModuleDefinition.ReadModule(typeof(Ingot.Server.Hosting.ServerHost).Assembly.Location);
        return module.GetTypes();
    }

    /// <summary>The folder of a namespace of the server, or null for anything else (the framework, generated code).</summary>
    private static string? Folder(string? ns) =>
        ns is not null && ns.StartsWith(Root, StringComparison.Ordinal) ? ns[Root.Length..].Split('.')[0] : null;

    /// <summary>A nested type (a lambda's closure, an async state machine) lives in its outermost type's folder.</summary>
    private static TypeDefinition Outermost(TypeDefinition type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type;
    }

    private static IReadOnlyList<(string From, string To, string Where)> ReadEdges()
    {
        var edges = new List<(string, string, string)>();
        foreach (var type in Types())
        {
            var owner = Outermost(type);
            if (Folder(owner.Namespace) is not { } from) continue;
            foreach (var used in Referenced(type))
            {
                var scope = used.DeclaringType is null ? used : Top(used);
                if (Folder(scope.Namespace) is { } to && to != from) edges.Add((from, to, $"{owner.Name} uses {scope.Name}"));
            }
        }
        return edges;
    }

    private static TypeReference Top(TypeReference type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type;
    }

    private static IEnumerable<TypeReference> Referenced(TypeDefinition type)
    {
        if (type.BaseType is not null) foreach (var t in Expand(type.BaseType)) yield return t;
        foreach (var i in type.Interfaces) foreach (var t in Expand(i.InterfaceType)) yield return t;
        foreach (var a in type.CustomAttributes) foreach (var t in Attribute(a)) yield return t;
        foreach (var field in type.Fields)
        {
            foreach (var t in Expand(field.FieldType)) yield return t;
            foreach (var a in field.CustomAttributes) foreach (var t in Attribute(a)) yield return t;
        }
        foreach (var property in type.Properties) foreach (var t in Expand(property.PropertyType)) yield return t;
        foreach (var method in type.Methods)
        {
            foreach (var t in Expand(method.ReturnType)) yield return t;
            foreach (var p in method.Parameters) foreach (var t in Expand(p.ParameterType)) yield return t;
            foreach (var a in method.CustomAttributes) foreach (var t in Attribute(a)) yield return t;
            if (!method.HasBody) continue;
            foreach (var v in method.Body.Variables) foreach (var t in Expand(v.VariableType)) yield return t;
            foreach (var instruction in method.Body.Instructions)
                foreach (var t in Operand(instruction)) yield return t;
        }
    }

    private static IEnumerable<TypeReference> Operand(Instruction instruction) => instruction.Operand switch
    {
        TypeReference t => Expand(t),
        MethodReference m => Expand(m.DeclaringType).Concat(Expand(m.ReturnType)).Concat(m.Parameters.SelectMany(p => Expand(p.ParameterType)))
            .Concat(m is GenericInstanceMethod g ? g.GenericArguments.SelectMany(Expand) : []),
        FieldReference f => Expand(f.DeclaringType).Concat(Expand(f.FieldType)),
        _ => [],
    };

    private static IEnumerable<TypeReference> Attribute(CustomAttribute a) =>
        Expand(a.AttributeType).Concat(a.ConstructorArguments.Select(arg => arg.Value).OfType<TypeReference>().SelectMany(Expand));

    /// <summary>A type and the types inside it: generic arguments, element types of arrays, pointers and refs.</summary>
    private static IEnumerable<TypeReference> Expand(TypeReference? type)
    {
        if (type is null) yield break;
        switch (type)
        {
            case GenericInstanceType generic:
                foreach (var t in Expand(generic.ElementType)) yield return t;
                foreach (var arg in generic.GenericArguments) foreach (var t in Expand(arg)) yield return t;
                break;
            case TypeSpecification spec:
                foreach (var t in Expand(spec.ElementType)) yield return t;
                break;
            case GenericParameter:
                break;
            default:
                yield return type;
                break;
        }
    }
}
