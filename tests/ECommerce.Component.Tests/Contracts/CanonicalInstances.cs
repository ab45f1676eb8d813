using System.Globalization;
using System.Reflection;

namespace ECommerce.Component.Tests.Contracts;

/// <summary>Builds one fixed, fully populated instance of any contract by reflection, so its serialized form shows every
/// property with a value of its real JSON type (no nulls: an optional id is filled too). Values are chosen to tell the JSON
/// types apart: decimals have fraction digits, integers do not, ids and timestamps have their string formats.</summary>
public static class CanonicalInstances
{
    static readonly Guid Id = Guid.Parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301", CultureInfo.InvariantCulture);
    static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static object Create(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return ValueOf(type, depth: 0);
    }

    static object ValueOf(Type type, int depth)
    {
        if (depth > 5)
            throw new InvalidOperationException($"{type} nests too deeply for a message contract.");
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
            return ValueOf(underlying, depth);

        if (type == typeof(Guid))
            return Id;
        if (type == typeof(string))
            return "text";
        if (type == typeof(int))
            return 42;
        if (type == typeof(long))
            return 42L;
        if (type == typeof(short))
            return (short)42;
        if (type == typeof(decimal))
            return 12.34m;
        if (type == typeof(double))
            return 12.34d;
        if (type == typeof(bool))
            return true;
        if (type == typeof(DateTimeOffset))
            return At;
        if (type == typeof(DateTime))
            return At.UtcDateTime;
        if (type == typeof(TimeSpan))
            return TimeSpan.FromSeconds(90);
        if (type.IsEnum)
            return Enum.GetValues(type).GetValue(0)!;

        if (ElementTypeOf(type) is { } element)
        {
            var array = Array.CreateInstance(element, 1);
            array.SetValue(ValueOf(element, depth + 1), 0);
            return array;
        }

        var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault()
            ?? throw new InvalidOperationException($"{type} has no public constructor to build a sample from.");
        var arguments = constructor.GetParameters().Select(p => ValueOf(p.ParameterType, depth + 1)).ToArray();
        return constructor.Invoke(arguments);
    }

    /// <summary>The element type of a collection property (arrays and the read-only list/enumerable interfaces contracts use).</summary>
    public static Type? ElementTypeOf(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.IsArray)
            return type.GetElementType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(IReadOnlyList<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(IEnumerable<>)
                || definition == typeof(IList<>) || definition == typeof(List<>)))
            return type.GetGenericArguments()[0];
        return null;
    }
}
