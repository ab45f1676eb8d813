using System.Diagnostics;
using System.Text;

namespace ECommerce.Testing.Infrastructure;

/// <summary>Runs a short command to completion and returns its output; a non-zero exit is an exception that carries the
/// output, so a failing admin command explains itself.</summary>
internal static class CommandRunner
{
    public static async Task<string> RunAsync(string fileName, IReadOnlyList<string> arguments, ServiceAccount? account = null,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null,
        bool throwOnFailure = true, CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        if (account is null)
        {
            startInfo.FileName = fileName;
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }
        }
        else
        {
            account.Apply(startInfo, fileName, arguments);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        using var process = new Process { StartInfo = startInfo };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        string text;
        lock (output)
        {
            text = output.ToString();
        }

        if (throwOnFailure && process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{fileName} {string.Join(' ', arguments)}' exited with code {process.ExitCode}:{Environment.NewLine}{text}");
        }

        return text;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
