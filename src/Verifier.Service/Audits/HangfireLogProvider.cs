namespace Verifier.Service.Audits;

using Hangfire.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using HangfireLevel = Hangfire.Logging.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

/// <summary>
/// Hangfire logs through one process-wide provider, which each host's AddHangfire replaces with its own. Where several
/// hosts share a process (the tests) one may be disposed while another's Hangfire still creates loggers; a disposed
/// factory then gives a silent logger instead of an ObjectDisposedException inside Hangfire.
/// </summary>
public sealed class HangfireLogProvider(ILoggerFactory factory) : ILogProvider
{
    public ILog GetLogger(string name)
    {
        try
        {
            return new HostLog(factory.CreateLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return new HostLog(NullLogger.Instance);
        }
    }

    private sealed class HostLog(ILogger logger) : ILog
    {
        public bool Log(HangfireLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            var level = logLevel switch
            {
                HangfireLevel.Trace => LogLevel.Trace,
                HangfireLevel.Debug => LogLevel.Debug,
                HangfireLevel.Info => LogLevel.Information,
                HangfireLevel.Warn => LogLevel.Warning,
                HangfireLevel.Error => LogLevel.Error,
                _ => LogLevel.Critical,
            };
            if (messageFunc is null) return logger.IsEnabled(level); // Hangfire asks before building a message
            if (logger.IsEnabled(level)) logger.Log(level, exception, "{Message}", messageFunc());
            return true;
        }
    }
}
