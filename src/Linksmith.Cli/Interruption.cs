using System.Runtime.InteropServices;

namespace Linksmith.Cli;

/// <summary>
/// The one Ctrl+C path. While a command that takes a cancellation token runs (the ones that
/// change trees: copy, mirror, clone, backup, move, dedupe, drop, delete), the first Ctrl+C cancels
/// that token: the command stops at its next safe point, says what it left behind, and exits 130.
/// A second Ctrl+C ends the process at once, as Ctrl+C always does.
/// </summary>
/// <remarks>
/// System.CommandLine's own handler cannot do this here: it is set up only once an action has
/// returned its task, and these actions do their work synchronously before returning one, so
/// Ctrl+C used to kill them mid-step. <see cref="PosixSignal.SIGINT"/> is Ctrl+C on Windows too
/// (CTRL_C_EVENT). SIGTERM keeps the runtime's default: the process ends at once (exit 143).
/// </remarks>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration registration;

    private Interruption() => registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnInterrupt);

    /// <summary>Cancelled by the first Ctrl+C.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>Starts listening for Ctrl+C, until disposed.</summary>
    public static Interruption Listen() => new();

    public void Dispose()
    {
        registration.Dispose();
        source.Dispose();
    }

    private void OnInterrupt(PosixSignalContext context)
    {
        if (source.IsCancellationRequested)
        {
            // The second Ctrl+C: the default action, which ends the process.
            return;
        }

        context.Cancel = true;
        source.Cancel();
    }
}
