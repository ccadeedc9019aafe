using System.Runtime.InteropServices;

namespace Linksmith.Cli;

/// <summary>
/// The one path for the signals that ask a program to stop: SIGINT (Ctrl+C), SIGTERM (kill,
/// systemd, docker stop) and SIGHUP (the terminal closed). While a command that takes a
/// cancellation token runs (the ones that change the file system), the first of them cancels that
/// token: the command stops between entries, its temporary names removed, says what it finished,
/// and exits 128 + the signal's number (130, 143, 129). A second signal ends the process at once,
/// as the signal always does.
/// </summary>
/// <remarks>
/// System.CommandLine's own handler cannot do this here: it is set up only once an action has
/// returned its task, and these actions do their work synchronously before returning one, so a
/// signal used to kill them mid-step. <see cref="PosixSignal.SIGINT"/> is Ctrl+C on Windows too
/// (CTRL_C_EVENT); SIGHUP and SIGTERM there are a closed console and a shutdown, which Windows
/// does not let a program outlast for long.
/// </remarks>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration[] registrations;
    private int exitCode;

    private Interruption() => registrations =
    [
        PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal),
    ];

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>128 + the number of the first signal received (130, 143, 129); null while none was.</summary>
    public int? ExitCode => Volatile.Read(ref exitCode) is > 0 and var code ? code : null;

    /// <summary>The first signal's name (SIGINT, SIGTERM, SIGHUP); null while none was received.</summary>
    public string? SignalName => ExitCode switch
    {
        ExitCodes.Hangup => "SIGHUP",
        ExitCodes.Interrupted => "SIGINT",
        ExitCodes.Terminated => "SIGTERM",
        _ => null,
    };

    /// <summary>Starts listening for the stop signals, until disposed.</summary>
    public static Interruption Listen() => new();

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        source.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // PosixSignal's values are not the signal numbers (they are negative, the same on every OS).
        var code = context.Signal switch
        {
            PosixSignal.SIGHUP => ExitCodes.Hangup,
            PosixSignal.SIGTERM => ExitCodes.Terminated,
            _ => ExitCodes.Interrupted,
        };
        if (Interlocked.CompareExchange(ref exitCode, code, 0) != 0)
        {
            // A second signal, of any of the three: its default action, which ends the process.
            return;
        }

        context.Cancel = true;
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The runtime may still call a handler it had picked before Dispose: the command is over,
            // and the exit code already decided.
        }
    }
}
