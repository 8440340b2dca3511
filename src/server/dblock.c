/* SPDX-License-Identifier: MIT */
/*
 * One cebgated per SQLite database: two would each run the sweeps and the
 * group commit as if alone. The lock is a POSIX record lock on DB.lock,
 * held by the open descriptor for the life of the process, so the kernel
 * drops it when the process dies, however it dies. A PostgreSQL database is
 * meant to be shared by several nodes, so only a file path takes the lock.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "server.h"

int
srv_db_is_file(const char *db)
{
	/* libpq's URIs and key=value connection strings; anything else is a file name. */
	return strncmp(db, "postgres://", 11) != 0 && strncmp(db, "postgresql://", 13) != 0 &&
	       strchr(db, '=') == NULL;
}

/* Note our pid in the file, for people; the lock itself is what counts. */
static void
note_pid(int fd)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) == 0 && n > 0)
		(void)!pwrite(fd, line, (size_t)n, 0);
}

int
srv_db_lock(const char *db)
{
	struct flock fl;
	char why[128];
	size_t n = strlen(db) + sizeof(".lock");
	char *path = malloc(n);
	int fd;

	if (path == NULL)
		return -1;
	(void)snprintf(path, n, "%s.lock", db);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "cebgated: cannot open %s: %s\n", path, strerror_r(errno, why, sizeof(why)));
		free(path);
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) != 0) {
		int err = errno;

		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if ((err == EACCES || err == EAGAIN) && fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
			fprintf(stderr, "cebgated: %s is in use by another cebgated (pid %ld, lock %s): "
				"stop it first, or give this one another --db\n", db, (long)fl.l_pid, path);
		else
			fprintf(stderr, "cebgated: cannot lock %s: %s\n", path, strerror_r(err, why, sizeof(why)));
		close(fd);
		free(path);
		return -1;
	}
	note_pid(fd);
	free(path);
	return fd;
}
