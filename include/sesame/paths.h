/* Default locations; every one can be overridden by configuration or flags. */
#ifndef SESAME_PATHS_H
#define SESAME_PATHS_H

#define SESAME_DEFAULT_CONFIG "/etc/sesame/authd.conf"
#define SESAME_DEFAULT_SOCKET "/run/sesame/authd.sock"
#define SESAME_DEFAULT_DATABASE "/var/lib/sesame/sesame.db"
#define SESAME_DEFAULT_MASTER_KEY "/var/lib/sesame/master.key"
#define SESAME_DEFAULT_TIMEOUT_MS 10000L

#endif
