using Ingot;

return await Cli.RunAsync(args, CliContext.FromProcess());
