using Linksmith.Cli;

return LinksmithCli.Run(NativeArguments.Recover(args), CliConsole.FromSystem());
