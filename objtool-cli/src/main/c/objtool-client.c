/*
 * objtool-client: the native front of bin/objtool. It hands one objtool command line to the
 * objtool server of its own build (a warm JVM, see ObjtoolServer.java) over a Unix domain socket,
 * prints the server's stdout and stderr in the order they were written and exits with the
 * request's status. Whenever the server cannot do that -- none runs, it belongs to another
 * build, it refuses, dies or stops answering -- the request runs in-process instead: the client
 * execs bin/objtool with OBJTOOL_IN_PROCESS=1, having printed nothing.
 *
 * OBJTOOL_SERVER: unset = use a running server of this build, else in-process; "auto" = also
 * start one in the background when none runs, and wait for one that is starting (at most
 * OBJTOOL_SERVER_START_WAIT ms, default 3000, while its process lives); "off" = never use one;
 * "require" = use one or fail with one line (for tests and benchmarks).
 *
 * The wire format and the build key are described in ServerProtocol.java and ServerFiles.java;
 * both sides compute the key the same way. No dependencies beyond libc.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MODE_DEFAULT, MODE_AUTO, MODE_OFF, MODE_REQUIRE };

#define ACCEPT_TIMEOUT_MS 5000 /* the server accepts or refuses at once */
#define ALIVE_TIMEOUT_MS 15000 /* it sends a heartbeat every second while it works */
#define SPAWN_FRESH_S 30       /* a start younger than this is still under way */
#define START_WAIT_MS 3000     /* how long a client waits for a server that is starting (default) */

static char root[PATH_MAX];
static char **args;
static int mode;

/* ------------------------------------------------------------------ small buffers */

struct buf {
  char *p;
  size_t len, cap;
};

static void put(struct buf *b, const void *d, size_t n) {
  if (b->len + n > b->cap) {
    size_t c = b->cap ? b->cap : 4096;
    while (c < b->len + n) c *= 2;
    char *q = realloc(b->p, c);
    if (!q) {
      fputs("objtool: out of memory\n", stderr);
      exit(1);
    }
    b->p = q;
    b->cap = c;
  }
  memcpy(b->p + b->len, d, n);
  b->len += n;
}

static void puts0(struct buf *b, const char *s) { put(b, s, strlen(s) + 1); }

static void put_u32(struct buf *b, uint32_t v) {
  unsigned char c[4] = {v, v >> 8, v >> 16, v >> 24};
  put(b, c, 4);
}

static uint32_t get_u32(const unsigned char *c) {
  return c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
}

/* ------------------------------------------------------------------ falling back */

/* Runs the request in a JVM of its own: bin/objtool, told not to come back here. */
static void in_process(void) {
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/bin/objtool", root);
  setenv("OBJTOOL_IN_PROCESS", "1", 1);
  args[0] = path;
  execv(path, args);
  fprintf(stderr, "objtool: cannot run %s: %s\n", path, strerror(errno));
  exit(127);
}

/* The server could not run the request: fall back, or with OBJTOOL_SERVER=require say why. */
static void give_up(const char *why) {
  if (mode == MODE_REQUIRE) {
    fprintf(stderr, "objtool: OBJTOOL_SERVER=require: %s\n", why);
    exit(1);
  }
  in_process();
}

/* ------------------------------------------------------------------ the build key */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *t) {
  size_t n = strlen(s), m = strlen(t);
  return n >= m && strcmp(s + n - m, t) == 0;
}

static void list_jars(const char *dir, int main_jar, char ***list, size_t *n) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    const char *s = e->d_name;
    if (!ends_with(s, ".jar")) continue;
    if (main_jar && (strncmp(s, "objtool-cli-", 12) != 0 || ends_with(s, "-sources.jar") ||
                     ends_with(s, "-javadoc.jar") || ends_with(s, "-tests.jar")))
      continue;
    char *p;
    if (asprintf(&p, "%s/%s", dir, s) < 0) exit(1);
    *list = realloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = p;
  }
  closedir(d);
}

/* FNV-1a 64 over the root and the path, size and mtime (ns) of every jar bin/objtool runs. */
static void build_key(char out[17]) {
  char **jars = NULL;
  size_t n = 0;
  char dir[PATH_MAX + 32];
  snprintf(dir, sizeof dir, "%s/objtool-cli/target", root);
  list_jars(dir, 1, &jars, &n);
  snprintf(dir, sizeof dir, "%s/objtool-cli/target/lib", root);
  list_jars(dir, 0, &jars, &n);
  qsort(jars, n, sizeof *jars, cmp_str);
  struct buf b = {0};
  put(&b, root, strlen(root));
  put(&b, "\n", 1);
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    if (stat(jars[i], &st) != 0) continue;
    char line[PATH_MAX + 64];
    int k = snprintf(line, sizeof line, "%s\n%lld\n%lld\n", jars[i], (long long)st.st_size,
                     (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
    put(&b, line, k);
    free(jars[i]);
  }
  free(jars);
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < b.len; i++) {
    h ^= (unsigned char)b.p[i];
    h *= 0x100000001b3ULL;
  }
  free(b.p);
  snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* ------------------------------------------------------------------ the server directory */

static int server_dir(char *out, size_t n) {
  const char *d = getenv("OBJTOOL_SERVER_DIR");
  if (d && *d) return snprintf(out, n, "%s", d) < (int)n ? 0 : -1;
  d = getenv("XDG_RUNTIME_DIR");
  if (d && *d) return snprintf(out, n, "%s/objtool", d) < (int)n ? 0 : -1;
  d = getenv("HOME");
  if (!d || !*d) return -1;
  return snprintf(out, n, "%s/.cache/objtool", d) < (int)n ? 0 : -1;
}

/* The directory must be ours and closed to everybody else, or nothing in it is trusted. */
static int dir_is_private(const char *dir) {
  struct stat st;
  return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() && (st.st_mode & 077) == 0;
}

/* The pid a K.spawn file names (the server being started), or 0 when it names none yet. */
static pid_t spawn_pid(const char *path) {
  char t[32] = {0};
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t k = read(fd, t, sizeof t - 1);
  close(fd);
  return k > 0 ? (pid_t)strtol(t, NULL, 10) : 0;
}

/*
 * OBJTOOL_SERVER=auto: start a server of this build in the background unless one runs or starts.
 * Returns the pid of the server being started (by this client or by another one a moment ago),
 * -1 when a start is under way whose pid is not written yet, or 0 when none is.
 */
static pid_t spawn_server(const char *dir, const char *key) {
  char path[PATH_MAX + 32];
  if (!dir_is_private(dir)) {
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
      *slash = 0;
      mkdir(parent, 0700); /* ~/.cache when missing */
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) return 0;
    if (!dir_is_private(dir)) return 0;
  }
  /* a live server holds K.lock (a POSIX record lock) */
  snprintf(path, sizeof path, "%s/%s.lock", dir, key);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) {
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    int held = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
    close(fd);
    if (held) return 0;
  }
  /* K.spawn marks a start under way, so a burst of clients starts one server; it holds the pid
   * of the server being started, and the server deletes it once it listens */
  snprintf(path, sizeof path, "%s/%s.spawn", dir, key);
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    struct stat st;
    if (errno != EEXIST || stat(path, &st) != 0) return 0;
    if (time(NULL) - st.st_mtime < SPAWN_FRESH_S) {
      pid_t p = spawn_pid(path);
      return p > 0 ? p : -1;
    }
    unlink(path); /* a start that never finished */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return 0;
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(fd);
    return 0;
  }
  if (pid == 0) {
    setsid();
    pid_t server = fork();
    if (server != 0) {
      if (server > 0)
        dprintf(fd, "%ld\n", (long)server);
      else
        unlink(path); /* no start under way after all */
      _exit(0);
    }
    close(fd);
    int nul = open("/dev/null", O_RDWR);
    if (nul >= 0) {
      dup2(nul, 0);
      dup2(nul, 1);
      dup2(nul, 2);
      if (nul > 2) close(nul);
    }
    char exe[PATH_MAX + 32];
    snprintf(exe, sizeof exe, "%s/bin/objtool-server", root);
    execl(exe, "objtool-server", "serve", (char *)NULL);
    _exit(127);
  }
  close(fd);
  waitpid(pid, NULL, 0);
  pid_t p = spawn_pid(path); /* 0 also when the server already listens and removed the file */
  return p > 0 ? p : -1;
}

/* Whether process pid still runs: it exists and is not a zombie that nobody has reaped yet. */
static int alive(pid_t pid) {
  if (kill(pid, 0) != 0 && errno == ESRCH) return 0;
  char path[64], st[512];
  snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 1; /* no /proc: kill's answer */
  ssize_t k = read(fd, st, sizeof st - 1);
  close(fd);
  if (k <= 0) return 0;
  st[k] = 0;
  const char *end = strrchr(st, ')'); /* "pid (comm) S ...": comm may hold anything */
  return !(end && end[1] == ' ' && end[2] == 'Z');
}

/* Connects to the server's socket; the descriptor, or -1. */
static int connect_server(const struct sockaddr_un *addr) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, (const struct sockaddr *)addr, sizeof *addr) != 0) {
    close(fd);
    fd = -1;
  }
  return fd;
}

/*
 * A server is starting (pid, or -1 when not known yet): waits until it listens, while it lives,
 * for at most OBJTOOL_SERVER_START_WAIT milliseconds (default START_WAIT_MS). A JVM that is
 * starting anyway answers sooner than a second one started for this request alone would, and
 * costs the machine less. The descriptor, or -1.
 */
static int await_server(const struct sockaddr_un *addr, pid_t pid) {
  const char *w = getenv("OBJTOOL_SERVER_START_WAIT");
  long limit = w && *w ? strtol(w, NULL, 10) : START_WAIT_MS;
  for (long waited = 0; waited < limit; waited += 10) {
    int fd = connect_server(addr);
    if (fd >= 0) return fd;
    if (pid > 0 && !alive(pid)) return connect_server(addr);
    struct timespec ts = {0, 10 * 1000000L};
    nanosleep(&ts, NULL);
  }
  return -1;
}

/* ------------------------------------------------------------------ talking to the server */

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t k = fd < 3 ? write(fd, p, n) : send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += k;
    n -= k;
  }
  return 0;
}

/* Reads what has arrived (at least a byte, at most 64 KiB) onto the end of b, waiting at most
 * timeout_ms; 0, or -1 on EOF, error or timeout. */
static int read_some(int fd, struct buf *b, int timeout_ms) {
  if (b->cap - b->len < 65536) {
    size_t c = b->cap ? b->cap : 65536;
    while (c - b->len < 65536) c *= 2;
    char *q = realloc(b->p, c);
    if (!q) return -1;
    b->p = q;
    b->cap = c;
  }
  for (;;) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r = poll(&pfd, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    ssize_t k = read(fd, b->p + b->len, b->cap - b->len);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    b->len += k;
    return 0;
  }
}

extern char **environ;

int main(int argc, char **argv) {
  args = argv;
  const char *m = getenv("OBJTOOL_SERVER");
  mode = !m || !*m ? MODE_DEFAULT
         : strcmp(m, "auto") == 0    ? MODE_AUTO
         : strcmp(m, "off") == 0     ? MODE_OFF
         : strcmp(m, "require") == 0 ? MODE_REQUIRE
                                     : -1;

  /* this program is ROOT/objtool-cli/target/objtool-client */
  ssize_t n = readlink("/proc/self/exe", root, sizeof root - 1);
  const char *suffix = "/objtool-cli/target/objtool-client";
  if (n <= 0 || (size_t)n <= strlen(suffix) || strncmp(root + n - strlen(suffix), suffix, strlen(suffix)) != 0) {
    fprintf(stderr, "objtool: %s is not ROOT%s of a checkout\n", argv[0], suffix);
    return 127;
  }
  root[n - strlen(suffix)] = 0;
  if (mode < 0) {
    fprintf(stderr, "objtool: OBJTOOL_SERVER='%s': expected auto, off or require (or unset)\n", m);
    return 1;
  }
  if (mode == MODE_OFF) in_process();

  char dir[PATH_MAX], key[17];
  if (server_dir(dir, sizeof dir) != 0) give_up("no directory for the server (set HOME or OBJTOOL_SERVER_DIR)");
  build_key(key);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (snprintf(addr.sun_path, sizeof addr.sun_path, "%s/%s.sock", dir, key) >= (int)sizeof addr.sun_path)
    give_up("the socket path is too long");

  int fd = dir_is_private(dir) ? connect_server(&addr) : -1;
  if (fd < 0 && mode == MODE_AUTO) {
    pid_t starting = spawn_server(dir, key);
    if (starting != 0) fd = await_server(&addr, starting);
  }
  if (fd < 0) give_up("no server of this build runs");

  /* the request: key, cwd, argc, args, the tool's environment (OBJTOOL_*, and for --verbose's
   * objdump CROSS_COMPILE and PATH) */
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) give_up("cannot name the working directory");
  struct buf body = {0};
  puts0(&body, key);
  puts0(&body, cwd);
  char count[16];
  snprintf(count, sizeof count, "%d", argc - 1);
  puts0(&body, count);
  for (int i = 1; i < argc; i++) puts0(&body, argv[i]);
  for (char **e = environ; *e; e++) {
    if (strncmp(*e, "OBJTOOL_", 8) == 0 || strncmp(*e, "CROSS_COMPILE=", 14) == 0 || strncmp(*e, "PATH=", 5) == 0)
      puts0(&body, *e);
  }
  struct buf req = {0};
  put(&req, "OBJTOOL1", 8);
  put_u32(&req, 0);
  put_u32(&req, body.len);
  put(&req, body.p, body.len);
  if (write_all(fd, req.p, req.len) != 0) give_up("the server closed the connection");

  /* frames, read as they arrive (a quick request's whole reply comes in one write); the output
   * is kept until the exit status arrives, so a failure prints nothing */
  struct buf in = {0};
  struct buf order = {0}; /* the offsets in `in` of the output frames, in order */
  size_t done = 0;        /* frames before this offset are handled */
  int accepted = 0;
  for (;;) {
    while (in.len - done >= 5) {
      const unsigned char *h = (const unsigned char *)in.p + done;
      uint32_t len = get_u32(h + 1);
      if (len > (256u << 20)) give_up("bad reply from the server");
      if (in.len - done - 5 < len) break;
      char *data = in.p + done + 5;
      switch (h[0]) {
      case 'A':
        accepted = 1;
        break;
      case 'H':
        break;
      case 'O':
      case 'E':
        put(&order, &done, sizeof done);
        break;
      case 'X': {
        if (len != 4) give_up("bad reply from the server");
        int status = (int)get_u32((unsigned char *)data);
        close(fd);
        for (size_t i = 0; i < order.len; i += sizeof done) {
          size_t off;
          memcpy(&off, order.p + i, sizeof off);
          write_all(in.p[off] == 'O' ? 1 : 2, in.p + off + 5, get_u32((unsigned char *)in.p + off + 1));
        }
        return status;
      }
      case 'F': {
        char why[256];
        snprintf(why, sizeof why, "%.*s", (int)(len < 255 ? len : 255), data);
        give_up(len ? why : "the server declined");
        break;
      }
      default:
        give_up("bad reply from the server");
      }
      done += 5 + len;
    }
    if (read_some(fd, &in, accepted ? ALIVE_TIMEOUT_MS : ACCEPT_TIMEOUT_MS) != 0)
      give_up(accepted ? "the server stopped answering" : "the server did not take the request");
  }
}
