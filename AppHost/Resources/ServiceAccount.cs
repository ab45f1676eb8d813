namespace ECommerce.AppHost.Resources;

/// <summary>The system account a server runs as. PostgreSQL refuses to run as root, so a root AppHost starts it as the
/// account its Debian package created; any other user runs it as itself.</summary>
internal sealed class ServiceAccount
{
    ServiceAccount(string? userName) => UserName = userName;

    /// <summary>Null when the servers run as the current user.</summary>
    public string? UserName { get; }

    public static ServiceAccount For(string systemUser) => new(Environment.IsPrivilegedProcess ? systemUser : null);

    /// <summary>The program to start for <paramref name="program"/>: itself, or <c>setpriv</c>, which changes the identity and
    /// execs in place (runuser and su fork and wait instead), so the process the orchestrator watches and signals is the
    /// server itself.</summary>
    public string Command(string program) => UserName is null ? program : "setpriv";

    /// <summary>The arguments that go before the program's own (see <see cref="Command"/>).</summary>
    public IReadOnlyList<string> Prefix(string program) => UserName is null
        ? []
        : [$"--reuid={UserName}", $"--regid={UserName}", "--init-groups", "--", program];

    /// <summary>Runs <paramref name="program"/> as this account to completion; throws with its output if it fails.</summary>
    public Task<string> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default) =>
        ProcessRunner.RunAsync(Command(program), [.. Prefix(program), .. arguments], workingDirectory, environment, cancellationToken);

    /// <summary>Makes <paramref name="directory"/> (recursively) owned by the account and private to it.</summary>
    public async Task TakeOwnershipAsync(string directory, CancellationToken cancellationToken)
    {
        if (UserName is not null)
            await ProcessRunner.RunAsync("chown", ["-R", $"{UserName}:", directory], directory, null, cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
