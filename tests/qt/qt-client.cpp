// SPDX-License-Identifier: LGPL-2.1-or-later
// qt-client: a Qt (5 or 6) client of org.example.Resource1 built by tests/qt/test-qt.sh
// from the proxy qdbusxml2cpp generates from interfaces/org.example.Resource1.xml
// (resource1proxy.h) and the types its annotations name (resource1-qt-types.h).
//
//   qt-client --signatures   the D-Bus signatures of the annotated types (no bus)
//   qt-client                every method and property against the service on
//                            DBUS_SYSTEM_BUS_ADDRESS, checked against /proc
//
// Prints one line per check ("ok ..." / "FAIL ..."); exits 1 if any failed.
#include <QCoreApplication>
#include <QDBusMetaType>
#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <cstdio>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "resource1proxy.h"

static int failures;

static void check(bool ok, const QString &what) {
        std::printf("%s %s\n", ok ? "ok" : "FAIL", qPrintable(what));
        if (!ok)
                failures++;
}

template <typename R> static bool replied(const R &reply, const char *method) {
        const QDBusError e = reply.error();
        if (e.isValid())
                check(false, QStringLiteral("%1: %2 %3").arg(QLatin1String(method), e.name(), e.message()));
        return !e.isValid();
}

struct Row {
        qulonglong soft, hard;
};

// /proc/self/limits: one row per resource in RLIMIT_* number order, as the
// Resources property and ListRlimits.
static QList<Row> procLimits() {
        QFile f(QStringLiteral("/proc/self/limits"));
        QList<Row> rows;
        if (!f.open(QIODevice::ReadOnly))
                return rows;
        const QList<QByteArray> lines = f.readAll().split('\n');
        for (int i = 1; i < lines.size(); i++) {
                const QList<QByteArray> v = lines[i].mid(26).simplified().split(' ');
                if (v.size() < 2)
                        continue;
                auto value = [](const QByteArray &s) { return s == "unlimited" ? RLIM_INFINITY : s.toULongLong(); };
                rows.append({ value(v[0]), value(v[1]) });
        }
        return rows;
}

template <typename T> static const char *signatureOf() {
#if QT_VERSION >= QT_VERSION_CHECK(6, 0, 0)
        return QDBusMetaType::typeToSignature(QMetaType::fromType<T>());
#else
        return QDBusMetaType::typeToSignature(qMetaTypeId<T>());
#endif
}

static int signatures() {
        resource1RegisterQtTypes();
        const char *list = signatureOf<Resource1LimitList>();
        const char *answers = signatureOf<Resource1AnswerList>();
        const char *map = signatureOf<QVariantMap>();
        check(list && QByteArray(list) == "a(stt)", QStringLiteral("Resource1LimitList is a(stt): %1").arg(list));
        check(answers && QByteArray(answers) == "a(sss)",
              QStringLiteral("Resource1AnswerList is a(sss): %1").arg(answers));
        check(map && QByteArray(map) == "a{sv}", QStringLiteral("QVariantMap is a{sv}: %1").arg(map));
        return failures ? 1 : 0;
}

int main(int argc, char *argv[]) {
        QCoreApplication app(argc, argv);
        if (app.arguments().contains(QStringLiteral("--signatures")))
                return signatures();
        resource1RegisterQtTypes();

        OrgExampleResource1Interface r(QStringLiteral("org.example.Resource1"), QStringLiteral("/org/example/Resource1"),
                                       QDBusConnection::systemBus());
        check(r.isValid(), r.isValid() ? QStringLiteral("proxy valid") : r.lastError().message());
        // The *Pidfd methods are served at the gate's name: the service's own
        // connection takes no descriptors (the bus refuses one sent there).
        OrgExampleResource1Interface gate(QStringLiteral("org.example.Resource1.Pidfd"),
                                          QStringLiteral("/org/example/Resource1"), QDBusConnection::systemBus());
        check(gate.isValid(), gate.isValid() ? QStringLiteral("gate proxy valid") : gate.lastError().message());

        const QList<Row> proc = procLimits();
        const QStringList names = r.resources();
        check(names.size() == proc.size() && names.value(0) == QLatin1String("CPU"),
              QStringLiteral("Resources: %1 names, /proc/self/limits %2 rows").arg(names.size()).arg(proc.size()));
        check(r.infinity() == RLIM_INFINITY, QStringLiteral("Infinity %1").arg(r.infinity()));
        check(!r.version().isEmpty(), QStringLiteral("Version %1").arg(r.version()));
        check(r.property("CanRaiseHardLimits").isValid(), QStringLiteral("CanRaiseHardLimits readable"));

        QDBusReply<qulonglong> page = r.PageSize();
        if (replied(page, "PageSize"))
                check(page.value() == qulonglong(sysconf(_SC_PAGESIZE)), QStringLiteral("PageSize %1").arg(page.value()));

        QDBusPendingReply<Resource1LimitList> list = r.ListRlimits(0);
        list.waitForFinished();
        if (replied(list, "ListRlimits")) {
                const Resource1LimitList l = list.value();
                bool same = l.size() == proc.size();
                for (int i = 0; same && i < l.size(); i++)
                        same = l[i].resource == names.value(i) && l[i].soft == proc[i].soft && l[i].hard == proc[i].hard;
                check(same, QStringLiteral("ListRlimits: %1 entries equal /proc/self/limits").arg(l.size()));
        }

        const int nofile = names.indexOf(QStringLiteral("NOFILE"));
        const Row before = proc.value(nofile);
        qulonglong hard = 0;
        QDBusReply<qulonglong> soft = r.GetRlimit(QStringLiteral("NOFILE"), hard);
        if (replied(soft, "GetRlimit"))
                check(soft.value() == before.soft && hard == before.hard, QStringLiteral("GetRlimit NOFILE"));

        soft = r.Prlimit(0, QStringLiteral("NOFILE"), false, 0, 0, hard);
        if (replied(soft, "Prlimit"))
                check(soft.value() == before.soft && hard == before.hard, QStringLiteral("Prlimit 0 NOFILE"));

        // glibc 2.36's <sys/pidfd.h> lacks extern "C": the system call itself.
        int pidfd = int(syscall(SYS_pidfd_open, getpid(), 0));
        check(pidfd >= 0, QStringLiteral("pidfd_open"));
        QDBusUnixFileDescriptor fd(pidfd);   // a copy
        close(pidfd);
        soft = gate.PrlimitPidfd(fd, QStringLiteral("NOFILE"), false, 0, 0, hard);
        if (replied(soft, "PrlimitPidfd"))
                check(soft.value() == before.soft && hard == before.hard, QStringLiteral("PrlimitPidfd NOFILE"));

        QDBusPendingReply<Resource1LimitList> listfd = gate.ListRlimitsPidfd(fd);
        listfd.waitForFinished();
        if (replied(listfd, "ListRlimitsPidfd"))
                check(listfd.value().size() == proc.size() && listfd.value().value(nofile).soft == before.soft,
                      QStringLiteral("ListRlimitsPidfd: %1 entries, NOFILE as /proc/self/limits").arg(listfd.value().size()));

        QDBusPendingReply<QVariantMap> usagefd = gate.GetRusagePidfd(fd, QStringLiteral("self"));
        usagefd.waitForFinished();
        if (replied(usagefd, "GetRusagePidfd"))
                check(usagefd.value().size() == 16, QStringLiteral("GetRusagePidfd self: %1 keys").arg(usagefd.value().size()));

        // Several limits at once, each set to what it is (allowed, no polkit).
        const int core = names.indexOf(QStringLiteral("CORE"));
        Resource1LimitList same;
        same << Resource1Limit{QStringLiteral("NOFILE"), before.soft, before.hard}
             << Resource1Limit{QStringLiteral("CORE"), proc.value(core).soft, proc.value(core).hard};
        QDBusPendingReply<Resource1LimitList> olds = r.SetRlimits(0, same);
        olds.waitForFinished();
        if (replied(olds, "SetRlimits"))
                check(olds.value().size() == 2 && olds.value()[0].resource == QLatin1String("NOFILE") &&
                      olds.value()[0].soft == before.soft,
                      QStringLiteral("SetRlimits: the old limits, in order"));
        olds = gate.SetRlimitsPidfd(fd, same);
        olds.waitForFinished();
        if (replied(olds, "SetRlimitsPidfd"))
                check(olds.value().size() == 2 && olds.value()[1].resource == QLatin1String("CORE"),
                      QStringLiteral("SetRlimitsPidfd: the old limits, in order"));

        // What a hard raise of its own NOFILE would meet, and a lowering
        // (nobody: polkit's default asks for authentication, without
        // interaction; "na" while the service lacks CAP_SYS_RESOURCE).
        Resource1LimitList raise, lower;
        raise << Resource1Limit{QStringLiteral("NOFILE"), before.soft, before.hard + 1};
        lower << Resource1Limit{QStringLiteral("NOFILE"), before.soft - 1, before.hard};
        const QString raised = r.canRaiseHardLimits() ? QStringLiteral("challenge") : QStringLiteral("na");
        QDBusPendingReply<QString, Resource1AnswerList> can = r.CanSetRlimits(0, raise);
        can.waitForFinished();
        if (replied(can, "CanSetRlimits")) {
                const Resource1AnswerList a = can.argumentAt<1>();
                check(can.value() == raised && a.size() == 1 && a[0].resource == QLatin1String("NOFILE") &&
                      a[0].answer == raised && a[0].action == QLatin1String("org.example.resource1.raise-hard-limit"),
                      QStringLiteral("CanSetRlimits of a hard raise: %1, %2 by %3")
                              .arg(can.value(), a.value(0).answer, a.value(0).action));
        }
        can = gate.CanSetRlimitsPidfd(fd, lower);
        can.waitForFinished();
        if (replied(can, "CanSetRlimitsPidfd")) {
                const Resource1AnswerList a = can.argumentAt<1>();
                check(can.value() == QLatin1String("yes") && a.size() == 1 && a[0].answer == QLatin1String("yes") &&
                      a[0].action.isEmpty(), QStringLiteral("CanSetRlimitsPidfd of a lowering: yes, no action"));
        }
        check(procLimits().value(nofile).soft == before.soft && procLimits().value(nofile).hard == before.hard,
              QStringLiteral("CanSetRlimits* changed nothing"));

        QDBusPendingReply<QVariantMap> usage = r.GetRusage(0, QStringLiteral("self"));
        usage.waitForFinished();
        if (replied(usage, "GetRusage")) {
                const QVariantMap u = usage.value();
                check(u.size() == 16 && u.value(QStringLiteral("ru_maxrss")).toLongLong() > 0 &&
                      u.contains(QStringLiteral("ru_utime")),
                      QStringLiteral("GetRusage self: %1 keys, ru_maxrss %2")
                              .arg(u.size())
                              .arg(u.value(QStringLiteral("ru_maxrss")).toLongLong()));
        }

        // Lowering its own soft limit (no polkit), and the signal through the proxy.
        bool signalled = false;
        QObject::connect(&r, &OrgExampleResource1Interface::RlimitChanged,
                         [&](uint pid, const QString &res, qulonglong os, qulonglong oh, qulonglong s, qulonglong h,
                             uint uid) {
                                 if (pid == uint(getpid()) && res == QLatin1String("NOFILE") && os == before.soft &&
                                     oh == before.hard && s == before.soft - 1 && h == before.hard && uid == getuid())
                                         signalled = true;
                         });
        QDBusPendingReply<> set = r.SetRlimit(QStringLiteral("NOFILE"), before.soft - 1, before.hard);
        set.waitForFinished();
        if (replied(set, "SetRlimit")) {
                struct rlimit rl;
                getrlimit(RLIMIT_NOFILE, &rl);
                check(rl.rlim_cur == before.soft - 1 && procLimits().value(nofile).soft == before.soft - 1,
                      QStringLiteral("SetRlimit NOFILE lowered to %1").arg(before.soft - 1));
        }
        QEventLoop loop;
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, [&] {
                if (signalled)
                        loop.quit();
        });
        poll.start(10);
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        loop.exec();
        check(signalled, QStringLiteral("RlimitChanged received through the proxy, from the old limits to the new"));
        return failures ? 1 : 0;
}
