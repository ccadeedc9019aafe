using Linksmith.Cli;

var console = CliConsole.FromSystem();
try
{
    return LinksmithCli.Run(NativeArguments.Recover(args), console);
}
finally
{
    // Standard output is block-buffered when redirected (see CliConsole.FromSystem).
    console.Out.Flush();
}
