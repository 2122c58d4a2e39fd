#!/usr/bin/env python3
"""Turns bench/run.sh's figures into one table: call, median, ratio to its
floor, target, met?"""
import sys

f = {}
for line in open(sys.argv[1]):
    k, v = line.split()
    f[k] = float(v)

rows = []
def row(name, value, unit, floor_name, ratio_target, note=""):
    floor = f.get(floor_name) if floor_name else None
    ratio = value / floor if floor else None
    met = "" if ratio_target is None else ("yes" if ratio is not None and ratio <= ratio_target else "NO")
    target = "" if ratio_target is None else f"<= {ratio_target:g} x {floor_name}"
    rows.append((name, f"{value:,.1f} {unit}", f"{ratio:.2f}" if ratio else "", target, met, note))

ping = f["Ping"]
for k in ["Ping", "GetId", "syscall-getrlimit", "syscall-prlimit", "syscall-getrusage"]:
    row(k, f[k], "us", None, None, "floor")
row("GetRlimit", f["GetRlimit"], "us", "Ping", 1.05)
row("ListRlimits", f["ListRlimits"], "us", "Ping", 1.2)
row("Prlimit get (other pid)", f["Prlimit-get-other"], "us", "Ping", None)
row("Prlimit set by root (lower)", f["Prlimit-set-lower"], "us", "Ping", None, "the daemon acts itself")
row("Ping by a user", f["user-Ping"], "us", None, None, "floor, as uid 5")
row("Prlimit set by a user (lower)", f["user-Prlimit-set-lower"], "us", "user-Ping", 3.0,
    "as uid 5: a process with the user's ids acts")
row("GetRusage self", f["GetRusage-self"], "us", "Ping", 1.5)
row("GetRusage other pid", f["GetRusage-other"], "us", "Ping", 1.8, "read by a worker (its /proc files can wait on the process)")
row("PageSize", f["PageSize"], "us", "Ping", None)

# Issue 16's target: the gated call costs polkit's answer and at most two
# Pings more. Against the caller's own check (no details), and against
# root's check of the caller with the details the daemon passes.
for floor, note in (("CheckAuthorization", "the caller's own check, no details"),
                    ("CheckAuthorization-as-daemon", "root's check of the caller, the daemon's details")):
    if floor not in f:
        continue
    gate_target = f[floor] + 2 * ping
    extra = f["gated-SetRlimit"] - f[floor]
    rows.append((f"gated SetRlimit over {floor}", f"{extra:+,.1f} us", f"{extra / ping:.1f} Pings",
                 f"<= {floor} {f[floor]:.1f} + 2 x Ping = {gate_target:.1f} us",
                 "yes" if f["gated-SetRlimit"] <= gate_target else "NO", note))
    row(floor, f[floor], "us", None, None, "floor: " + note)
if "Ping-after-polkit" in f:
    cold = f["Ping-after-polkit"]
    extra = f["gated-SetRlimit"] - f.get("CheckAuthorization-as-daemon", f["CheckAuthorization"])
    rows.append(("gated SetRlimit, in Pings after polkit", f"{extra / cold:.1f}", "", "", "",
                 f"a Ping right after polkitd ran: {cold:.1f} us ({cold / ping:.1f} x a warm Ping)"))
row("gated SetRlimit (hard raise)", f["gated-SetRlimit"], "us", None, None, "as uid 1: polkit yes, then the kernel refuses")
n = int(f["polkit-calls-ungated"])
rows.append(("polkit calls, ungated calls", str(n), "", "0", "yes" if n == 0 else "NO",
             "over the latency and 100k-call runs"))

for c in (1, 4, 16, 64):
    g, p = f[f"throughput-GetRlimit-{c}"], f[f"throughput-Ping-{c}"]
    target = 0.95 if c == 4 else None
    met = "" if target is None else ("yes" if g / p >= target else "NO")
    rows.append((f"throughput GetRlimit, {c} conn", f"{g:,.0f} /s", f"{g / p:.2f}",
                 f">= {target} x Ping" if target else "", met, f"Ping: {p:,.0f} /s"))

idle, priv = f["idle-rss-kib"], f["idle-private-kib"]
rows.append(("daemon RSS idle", f"{idle:,.0f} KiB", "", "<= 2048 KiB", "yes" if idle <= 2048 else "NO",
             "mostly libc and libsystemd pages shared with every process"))
rows.append(("daemon private memory idle", f"{priv:,.0f} KiB", "", "<= 2048 KiB", "yes" if priv <= 2048 else "NO",
             "what the daemon alone costs"))
growth = f["rss-after-calls-kib"] - f["rss-before-calls-kib"]
rows.append((f"daemon RSS growth over {int(f['calls']):,} calls", f"{growth:+,.0f} KiB", "",
             "no growth", "yes" if growth <= 16 else "NO",
             f"warm {f['rss-before-calls-kib']:,.0f} -> {f['rss-after-calls-kib']:,.0f} KiB"))
per = (f["private-with-idle-clients-kib"] - f["private-before-idle-clients-kib"]) / f["idle-clients"]
rows.append((f"daemon memory per idle client ({int(f['idle-clients'])})", f"{per:.2f} KiB", "", "<= 2 KiB",
             "yes" if per <= 2 else "NO", "private pages; each client made one call"))
rows.append((f"daemon CPU per {int(f['calls']):,} GetRlimit", f"{f['cpu-ms-per-calls']:,.0f} ms", "", "", "", ""))
for k, name in (("cli-limits", "resourcectl limits NOFILE, as nobody"), ("cli-set", "resourcectl set NOFILE, as nobody")):
    if k + "-ratio" in f:
        r = f[k + "-ratio"]
        rows.append((name + " (wall)", f"{f[k + '-a']:,.0f} us", f"{r:.2f}", "<= 1.5 x prlimit", "yes" if r <= 1.5 else "NO",
                     f"prlimit: {f[k + '-b']:,.0f} us; in turn, ratio pair by pair"))
if "cli-floor-ratio" in f:
    rows.append(("floor: one sd-bus call (wall)", f"{f['cli-floor-a']:,.0f} us", f"{f['cli-floor-ratio']:.2f}", "", "",
                 "connect and one Ping, against prlimit"))
for k, name, what in (("cli-call", "floor: one ListRlimitsPidfd (wall)", "resourcectl limits' call, sd-bus alone"),
                      ("cli-set-call", "floor: one SetRlimitsPidfd (wall)", "resourcectl set's call, sd-bus alone")):
    if k + "-ratio" in f:
        rows.append((name, f"{f[k + '-a']:,.0f} us", f"{f[k + '-ratio']:.2f}", "", "", what + ", against prlimit"))
r = f["exec-resourcectl"] / f["exec-prlimit"]
rows.append(("resourcectl limits (wall)", f"{f['exec-resourcectl']:,.0f} us", f"{r:.2f}",
             "<= 2 x prlimit", "yes" if r <= 2 else "NO", f"prlimit: {f['exec-prlimit']:,.0f} us"))

head = ("call", "median", "ratio", "target", "met?", "note")
w = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
print("| " + " | ".join(h.ljust(w[i]) for i, h in enumerate(head)) + " |")
print("|" + "|".join("-" * (w[i] + 2) for i in range(len(head))) + "|")
for x in rows:
    print("| " + " | ".join(str(v).ljust(w[i]) for i, v in enumerate(x)) + " |")
