"""agent_call.py PKG [--polkit-agent] [--aio] HARD: sets this process's NOFILE
hard limit to HARD (its soft limit kept) with resource1.Client (or
resource1.aio.Client with --aio), polkit_agent=True with --polkit-agent.
Prints "ok", or the exception's class and text, then "hard N", the limit
after. tests/python/test-python.sh runs it on a pseudo-terminal as a user who types
a password (tests/lib/pty-user.sh)."""
import asyncio
import resource
import sys

sys.path.insert(0, sys.argv[1])
import resource1  # noqa: E402
import resource1.aio  # noqa: E402


def main():
    args = sys.argv[2:]
    agent = '--polkit-agent' in args
    use_aio = '--aio' in args
    limits = (resource.getrlimit(resource.RLIMIT_NOFILE)[0], int(args[-1]))
    # Without --polkit-agent, the client as it was before the option.
    options = {'polkit_agent': True} if agent else {}
    try:
        if use_aio:
            async def change():
                async with resource1.aio.Client(**options) as c:
                    await c.setrlimit(resource1.RLIMIT_NOFILE, limits)
            asyncio.run(change())
        else:
            with resource1.Client(**options) as c:
                c.setrlimit(resource1.RLIMIT_NOFILE, limits)
        print('ok')
    except resource1.ServiceError as e:
        print('%s %s: %s' % (type(e).__name__, e.dbus_name, e.dbus_message))
    print('hard %d' % resource.getrlimit(resource.RLIMIT_NOFILE)[1])


if __name__ == '__main__':
    main()
