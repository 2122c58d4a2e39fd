#!/usr/bin/env python3
"""Runs a command on a new pseudo-terminal (its controlling terminal, as a
login shell's is) and answers its prompts, as a person at a terminal would:

    pty-answer.py [--timeout S] [--answer PATTERN TEXT]... -- COMMAND [ARG...]

Each time the output since the last answer contains PATTERN (a regular
expression), TEXT and a newline are typed; each answer once, in order.
Everything the terminal showed goes to standard output (CR LF as LF). Exits
with the command's status, or 124 when it runs past the timeout (killed)."""
import os
import re
import select
import signal
import sys
import time


def main():
    args = sys.argv[1:]
    timeout = 30.0
    answers = []
    while args and args[0] != "--":
        if args[0] == "--timeout":
            timeout = float(args[1])
            args = args[2:]
        elif args[0] == "--answer":
            answers.append((re.compile(args[1].encode()), args[2].encode()))
            args = args[3:]
        else:
            sys.exit(f"pty-answer.py: unknown option {args[0]}")
    command = args[1:]
    if not command:
        sys.exit("usage: pty-answer.py [--timeout S] [--answer PATTERN TEXT]... -- COMMAND [ARG...]")

    pid, master = os.forkpty()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)

    seen = b""
    deadline = time.monotonic() + timeout
    status = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.stdout.buffer.write(b"\n[pty-answer: timed out]\n")
            sys.stdout.flush()
            sys.exit(124)
        ready, _, _ = select.select([master], [], [], min(left, 0.2))
        if ready:
            try:
                data = os.read(master, 4096)
            except OSError:   # EIO: the last process on the terminal closed it
                data = b""
            if not data:
                break
            sys.stdout.buffer.write(data.replace(b"\r\n", b"\n"))
            sys.stdout.flush()
            seen += data
            if answers and answers[0][0].search(seen):
                # A moment for the prompt to switch echo off before typing.
                time.sleep(0.2)
                os.write(master, answers[0][1] + b"\n")
                answers.pop(0)
                seen = b""
        else:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
                # What is left in the terminal's buffer.
                while select.select([master], [], [], 0.1)[0]:
                    try:
                        data = os.read(master, 4096)
                    except OSError:
                        break
                    if not data:
                        break
                    sys.stdout.buffer.write(data.replace(b"\r\n", b"\n"))
                break
    if status is None:
        _, status = os.waitpid(pid, 0)
    sys.stdout.flush()
    sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


if __name__ == "__main__":
    main()
