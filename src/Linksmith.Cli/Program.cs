using Linksmith.Cli;

var console = CliConsole.FromSystem();
// An exception on another thread (a worker, the progress line's measuring walk) ends the process
// too: it gets the same error line and exit code as one on the main thread, not a stack trace.
AppDomain.CurrentDomain.UnhandledException += (_, unhandled) =>
{
    var code = LastResort.Report(console, (Exception)unhandled.ExceptionObject);
    console.Out.Flush();
    Environment.Exit(code);
};
try
{
    return LinksmithCli.Run(NativeArguments.Recover(args), console);
}
finally
{
    // Standard output is block-buffered when redirected (see CliConsole.FromSystem).
    console.Out.Flush();
}
