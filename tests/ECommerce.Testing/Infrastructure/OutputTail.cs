namespace ECommerce.Testing.Infrastructure;

/// <summary>The last lines a server wrote, kept to explain a failed start.</summary>
internal sealed class OutputTail(int capacity)
{
    private readonly Queue<string> lines = new();
    private readonly Lock gate = new();

    public void Add(string line)
    {
        lock (gate)
        {
            if (lines.Count == capacity)
            {
                lines.Dequeue();
            }

            lines.Enqueue(line);
        }
    }

    public override string ToString()
    {
        lock (gate)
        {
            return string.Join(Environment.NewLine, lines);
        }
    }
}
