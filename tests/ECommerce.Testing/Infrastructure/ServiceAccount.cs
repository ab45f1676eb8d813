using System.Diagnostics;

namespace ECommerce.Testing.Infrastructure;

/// <summary>The system account a server runs as. PostgreSQL refuses to run as root, so a root process drops to the account
/// its package created; any other user simply runs it as itself.</summary>
internal sealed class ServiceAccount
{
    private ServiceAccount(string? userName) => UserName = userName;

    /// <summary>Null when the servers run as the current user.</summary>
    public string? UserName { get; }

    /// <summary>Whoever runs this process.</summary>
    public static ServiceAccount CurrentUser { get; } = new(null);

    public static ServiceAccount For(string systemUser) =>
        new(Environment.IsPrivilegedProcess ? systemUser : null);

    /// <summary>Makes <paramref name="directory"/> (recursively) owned by the account and private to it.</summary>
    public async Task TakeOwnershipAsync(string directory, CancellationToken cancellationToken)
    {
        if (UserName is not null)
        {
            await CommandRunner.RunAsync("chown", ["-R", $"{UserName}:", directory], cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }

        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Fills <paramref name="startInfo"/> to run <paramref name="fileName"/> in a session of its own (so a Ctrl+C at
    /// the terminal reaches only the orchestrating process, which then stops everything in order) as this account.</summary>
    public void Apply(ProcessStartInfo startInfo, string fileName, IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        startInfo.FileName = "setsid";
        startInfo.ArgumentList.Clear();
        if (UserName is not null)
        {
            // setpriv changes the identity and execs in place (runuser and su fork and wait instead), so the process
            // started here is the server itself, not a wrapper around it.
            startInfo.ArgumentList.Add("setpriv");
            startInfo.ArgumentList.Add($"--reuid={UserName}");
            startInfo.ArgumentList.Add($"--regid={UserName}");
            startInfo.ArgumentList.Add("--init-groups");
            startInfo.ArgumentList.Add("--");
        }

        startInfo.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
    }
}
