"""polkit's text authentication agent for this process, as libresource1's
resource1_set_polkit_agent() and resourcectl start it (and systemctl):
``pkttyagent --notify-fd N [--fallback]``, only when standard input is a
terminal and the user is not root, for one call that polkit wants
authenticated."""

import os
import select
import shutil
import subprocess
import sys

AGENT = 'pkttyagent'
# pkttyagent registers within milliseconds; a slow machine gets longer.
REGISTER_TIMEOUT = 10.0

INTERACTIVE_REQUIRED = ('org.freedesktop.DBus.Error.'
                        'InteractiveAuthorizationRequired')
_NEEDS = ' needs authentication'


def _session():
    """This process's logind session, or '' outside one (as
    sd_pid_get_session())."""
    try:
        with open('/proc/self/cgroup') as f:
            for line in f:
                path = line.rstrip('\n').split(':', 2)[-1]
                for part in path.split('/'):
                    if part.startswith('session-') and part.endswith('.scope'):
                        return part[len('session-'):-len('.scope')]
    except OSError:
        pass
    return ''


def _program():
    if sys.argv and sys.argv[0]:
        return os.path.basename(sys.argv[0])
    return 'python3'


class PolkitAgent:
    """One start of pkttyagent; ``state`` says how it went: 'no-tty', 'root',
    'missing', 'spawn-failed' (``error``), 'running' or 'exited'
    (``returncode``)."""

    def __init__(self):
        self.state = 'no-tty'
        self.session = _session()
        self.fallback = False
        self.error = None
        self.returncode = None
        self._proc = None

    @classmethod
    def open(cls):
        """Starts it when a person at this terminal could answer, and waits
        (boundedly) until it has registered (it closes the notify fd then,
        or exits, closing it, when it cannot)."""
        a = cls()
        try:
            tty = os.isatty(0)
        except OSError:
            tty = False
        if not tty:
            return a
        if os.geteuid() == 0:
            a.state = 'root'
            return a
        path = shutil.which(AGENT)
        if path is None:
            a.state = 'missing'
            return a
        # polkit asks an agent registered for a process (this one: its
        # parent) only as a fallback when it finds none for the process's
        # session, and not at all when the process is in no session; so
        # outside a session the agent registers as the first choice.
        a.fallback = bool(a.session)
        r, w = os.pipe()
        try:
            argv = [path, '--notify-fd', str(w)]
            if a.fallback:
                argv.append('--fallback')
            a._proc = subprocess.Popen(argv, pass_fds=(w,),
                                       close_fds=True)
        except OSError as e:
            a.state = 'spawn-failed'
            a.error = e
            os.close(r)
            return a
        finally:
            os.close(w)
        a.state = 'running'
        try:
            select.select([r], [], [], REGISTER_TIMEOUT)
        finally:
            os.close(r)
        return a

    @property
    def running(self):
        """Whether it still runs (it registered, or is still trying)."""
        if self._proc is None:
            return False
        if self._proc.poll() is None:
            return True
        self.state, self.returncode = 'exited', self._proc.returncode
        self._proc = None
        return False

    def close(self):
        """Stops it; notes whether it had exited by itself before."""
        if self._proc is None or not self.running:
            return
        self._proc.terminate()
        self._proc.wait()
        self._proc = None

    def why(self):
        """Why no agent answered, as the end of a sentence ("..., but
        <this>")."""
        me = _program()
        if self.state == 'no-tty':
            if self.session:
                return ('no authentication agent answered: standard input '
                        'is not a terminal, so %s started none, and no agent '
                        'of login session %s took the request'
                        % (me, self.session))
            return ('no authentication agent answered: standard input is '
                    'not a terminal, so %s started none, and it is in no '
                    'login session, whose agent polkit could have asked'
                    % me)
        if self.state == 'root':
            return '%s runs as root, for which it starts no agent' % me
        if self.state == 'missing':
            return ("pkttyagent, polkit's text authentication agent, is "
                    "not installed (it is in polkit's package, polkitd on "
                    "Debian)")
        if self.state == 'spawn-failed':
            return ('pkttyagent could not be started: %s'
                    % (self.error.strerror or self.error))
        if self.state == 'exited':
            if self.returncode is not None and self.returncode < 0:
                return ('pkttyagent was killed by signal %d before it '
                        'could ask' % -self.returncode)
            return ('pkttyagent could not register as an authentication '
                    'agent (it exited with status %s; its message, if any, '
                    'is above)' % self.returncode)
        if self.session:
            return ('polkit did not ask the agent %s started, nor another '
                    'agent of login session %s' % (me, self.session))
        return ('polkit did not ask the agent %s started for its process '
                '(which is in no login session)' % me)


def explain(message, agent):
    """The service's "... needs authentication" with what stood in the way."""
    at = message.find(_NEEDS)
    if at >= 0:
        return '%s, but %s' % (message[:at + len(_NEEDS)], agent.why())
    return '%s (%s)' % (message, agent.why())
