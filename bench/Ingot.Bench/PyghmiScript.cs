namespace Ingot.Bench;

/// <summary>The pyghmi side of the IPMI benchmark, written to a temporary file and run by Debian's python3 (which has
/// python3-pyghmi). Arguments: hosts (comma-separated), ops, warm-up ops, threads, power|deviceid, expected answer,
/// time limit in seconds per phase (calls not started by then are left out and counted in "skipped").</summary>
public static class PyghmiScript
{
    public const string Text = """
        import resource, sys, time
        from concurrent.futures import ThreadPoolExecutor
        from pyghmi.ipmi import command
        from pyghmi.ipmi.private import session

        hosts = sys.argv[1].split(',')
        ops, warmup, threads = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        operation, expected, limit = sys.argv[5], sys.argv[6], float(sys.argv[7])

        # pyghmi asks for suite 17 first and falls back to 3 only after the BMC refuses (ipmi_sim has no 17): start at 3
        # so every tool runs the same suite and pyghmi pays no extra refused round trip.
        _open = session.Session._open_rmcpplus_request
        def _suite3(self):
            self.attemptedhash = 1
            return _open(self)
        session.Session._open_rmcpplus_request = _suite3

        def call(i, deadline):
            if time.monotonic() > deadline:
                return None
            c = None
            try:
                c = command.Command(bmc=hosts[i % len(hosts)], userid=b'admin', password=b'password')
                if operation == 'power':
                    return c.get_power()['powerstate'] == expected
                d = c.raw_command(netfn=6, command=1)['data']
                return str(d[6] | d[7] << 8 | (d[8] & 15) << 16) == expected
            except Exception:
                return False
            finally:
                # pyghmi keeps a logged-in session per (bmc, user, password) and hands it to the next Command for the
                # same BMC; logging out (Close Session) makes the next call open a new one: a full session per call.
                if c is not None:
                    try:
                        c.ipmi_session.logout()
                    except Exception:
                        pass

        def run(start, count):
            deadline = time.monotonic() + limit
            with ThreadPoolExecutor(threads) as pool:
                return list(pool.map(lambda i: call(i, deadline), range(start, start + count)))

        run(0, warmup)
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.monotonic()
        results = run(warmup, ops)
        seconds = time.monotonic() - t0
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        done = [r for r in results if r is not None]
        print('RESULT ops=%d failures=%d seconds=%.4f cpu=%.4f skipped=%d' % (len(done), done.count(False), seconds, cpu, len(results) - len(done)))
        """;
}
