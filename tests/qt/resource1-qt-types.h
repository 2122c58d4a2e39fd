/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The C++ types a Qt client of org.example.Resource1 declares for the
 * compound replies the interface's QtTypeName annotations name: give this
 * header to qdbusxml2cpp with -i, and call resource1RegisterQtTypes() once
 * before the first call. GetRusage's a{sv} is Qt's own QVariantMap. */
#pragma once

#include <QDBusArgument>
#include <QDBusMetaType>
#include <QList>
#include <QMetaType>
#include <QString>

/* One element of ListRlimits' a(stt): resource name, soft and hard limit. */
struct Resource1Limit {
        QString resource;
        qulonglong soft = 0;
        qulonglong hard = 0;
};
typedef QList<Resource1Limit> Resource1LimitList;

/* One element of CanSetRlimits' a(sss): resource name, its answer ("yes",
 * "challenge", "no" or "na") and the polkit action that decided it. */
struct Resource1Answer {
        QString resource;
        QString answer;
        QString action;
};
typedef QList<Resource1Answer> Resource1AnswerList;

Q_DECLARE_METATYPE(Resource1Limit)
Q_DECLARE_METATYPE(Resource1LimitList)
Q_DECLARE_METATYPE(Resource1Answer)
Q_DECLARE_METATYPE(Resource1AnswerList)

inline QDBusArgument &operator<<(QDBusArgument &arg, const Resource1Limit &l) {
        arg.beginStructure();
        arg << l.resource << l.soft << l.hard;
        arg.endStructure();
        return arg;
}

inline const QDBusArgument &operator>>(const QDBusArgument &arg, Resource1Limit &l) {
        arg.beginStructure();
        arg >> l.resource >> l.soft >> l.hard;
        arg.endStructure();
        return arg;
}

inline QDBusArgument &operator<<(QDBusArgument &arg, const Resource1Answer &a) {
        arg.beginStructure();
        arg << a.resource << a.answer << a.action;
        arg.endStructure();
        return arg;
}

inline const QDBusArgument &operator>>(const QDBusArgument &arg, Resource1Answer &a) {
        arg.beginStructure();
        arg >> a.resource >> a.answer >> a.action;
        arg.endStructure();
        return arg;
}

inline void resource1RegisterQtTypes() {
        qDBusRegisterMetaType<Resource1Limit>();
        qDBusRegisterMetaType<Resource1LimitList>();
        qDBusRegisterMetaType<Resource1Answer>();
        qDBusRegisterMetaType<Resource1AnswerList>();
}
