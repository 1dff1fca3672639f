/*
 * static-web: a small HTTP/1.1 server for the files under one directory
 * (the Mewz use case: a site served from the read-only rootfs). One
 * thread, non-blocking sockets and poll(): keep-alive and pipelined
 * requests, GET and HEAD, Content-Type by extension, 404 for what is not
 * there, 405 for other methods. Files are read once and kept in memory.
 *
 *   static-web [PORT [ROOT]]      (defaults: 8080 /site)
 *
 * The same source builds for wasm32-wasi (WasmEdge socket imports, see
 * wasmedge_socket.h) and as a Linux process (hack/bench http).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#ifndef __wasi__
#include <signal.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasmedge_socket.h"

#define MAX_CONNECTIONS 512
#define REQUEST_MAX 8192
#define PATH_MAX_LEN 512
#define CACHE_MAX 256
#define FILE_MAX (64u << 20)

struct file {
    char path[PATH_MAX_LEN]; /* the request path */
    char *data;
    size_t size;
    const char *type; /* of the file served (a directory's index.html) */
};

struct connection {
    int fd;
    size_t in_len;
    char in[REQUEST_MAX];
    /* The response being sent: a header, then a body (a cached file or a
     * static text). */
    char head[512];
    size_t head_len, head_sent;
    const char *body;
    size_t body_len, body_sent;
    int close_after;
};

static const char *root = "/site";
static struct file cache[CACHE_MAX];
static int cache_count;
static struct connection *connections[MAX_CONNECTIONS];
static int connection_count;

static const char *content_type(const char *path)
{
    static const struct {
        const char *extension, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
        {".css", "text/css"}, {".js", "text/javascript"}, {".json", "application/json"},
        {".txt", "text/plain; charset=utf-8"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
        {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".gif", "image/gif"},
        {".ico", "image/x-icon"}, {".wasm", "application/wasm"}, {".pdf", "application/pdf"},
    };
    const char *dot = strrchr(path, '.');
    if (dot != NULL && strchr(dot, '/') == NULL)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcasecmp(dot, types[i].extension) == 0)
                return types[i].type;
    return "application/octet-stream";
}

/* Reads a whole regular file; a directory is its index.html. */
static int read_file(char *full, size_t capacity, char **data, size_t *size)
{
    struct stat info;
    if (stat(full, &info) != 0)
        return -1;
    if (S_ISDIR(info.st_mode)) {
        size_t len = strlen(full);
        if (len + sizeof "/index.html" > capacity)
            return -1;
        strcpy(full + len, full[len - 1] == '/' ? "index.html" : "/index.html");
        if (stat(full, &info) != 0)
            return -1;
    }
    if (!S_ISREG(info.st_mode) || (uint64_t)info.st_size > FILE_MAX)
        return -1;
    int fd = open(full, O_RDONLY);
    if (fd < 0)
        return -1;
    *size = (size_t)info.st_size;
    *data = malloc(*size ? *size : 1);
    size_t done = 0;
    while (*data != NULL && done < *size) {
        ssize_t n = read(fd, *data + done, *size - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    close(fd);
    if (*data == NULL || done != *size) {
        free(*data);
        return -1;
    }
    return 0;
}

/* The cached file for a request path (already checked), or NULL. */
static const struct file *lookup(const char *path)
{
    for (int i = 0; i < cache_count; i++)
        if (strcmp(cache[i].path, path) == 0)
            return &cache[i];
    char full[PATH_MAX_LEN + 64];
    if (snprintf(full, sizeof full, "%s%s", root, path) >= (int)sizeof full)
        return NULL;
    struct file file = {0};
    if (read_file(full, sizeof full, &file.data, &file.size) != 0)
        return NULL;
    snprintf(file.path, sizeof file.path, "%s", path);
    file.type = content_type(full);
    if (cache_count == CACHE_MAX) {
        free(cache[0].data);
        memmove(cache, cache + 1, sizeof cache[0] * (CACHE_MAX - 1));
        cache_count--;
    }
    cache[cache_count] = file;
    return &cache[cache_count++];
}

/* Only absolute paths without "..", "//" or control bytes. */
static int safe_path(const char *path)
{
    if (path[0] != '/')
        return 0;
    for (const char *p = path; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == '\\')
            return 0;
        if (p[0] == '/' && p[1] == '.' && p[2] == '.' && (p[3] == '/' || p[3] == '\0'))
            return 0;
    }
    return 1;
}

/* Appends `text` at *at; the caller has made sure it fits. */
static char *append(char *at, const char *text, size_t len)
{
    memcpy(at, text, len);
    return at + len;
}

#define APPEND_LITERAL(at, text) append((at), (text), sizeof(text) - 1)

/* The decimal digits of `value` at *at. */
static char *append_number(char *at, size_t value)
{
    char digits[20];
    size_t count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (count > 0)
        *at++ = digits[--count];
    return at;
}

/* The head is put together by hand: it is built for every request, and
 * snprintf costs more than the rest of a request's parsing (wasi-libc's
 * most of all). Every piece has a bounded length, well under sizeof head. */
static void respond(struct connection *c, int status, const char *reason, const char *type,
                    const char *body, size_t body_len, int head_only)
{
    char *at = c->head;
    at = APPEND_LITERAL(at, "HTTP/1.1 ");
    at = append_number(at, (size_t)status);
    *at++ = ' ';
    at = append(at, reason, strlen(reason));
    at = APPEND_LITERAL(at, "\r\nServer: static-web\r\nContent-Type: ");
    at = append(at, type, strlen(type));
    at = APPEND_LITERAL(at, "\r\nContent-Length: ");
    at = append_number(at, body_len);
    at = c->close_after ? APPEND_LITERAL(at, "\r\nConnection: close\r\n")
                        : APPEND_LITERAL(at, "\r\nConnection: keep-alive\r\n");
    if (status == 405)
        at = APPEND_LITERAL(at, "Allow: GET, HEAD\r\n");
    at = APPEND_LITERAL(at, "\r\n");
    c->head_len = (size_t)(at - c->head);
    c->head_sent = c->body_sent = 0;
    c->body = body;
    c->body_len = head_only ? 0 : body_len;
}

/* The next token of the request line at *cursor (tokens are separated by
 * spaces), NUL-terminated in place; NULL when there is none or it is
 * longer than `max` bytes. */
static char *next_token(char **cursor, size_t max)
{
    char *start = *cursor;
    while (*start == ' ')
        start++;
    if (*start == '\0')
        return NULL;
    char *end = start;
    while (*end != '\0' && *end != ' ')
        end++;
    if ((size_t)(end - start) > max)
        return NULL;
    *cursor = *end == '\0' ? end : end + 1;
    *end = '\0';
    return start;
}

/* Finds the value of header `name` in the header block; copies at most
 * cap-1 bytes. */
static int header_value(const char *headers, const char *name, char *out, size_t cap)
{
    size_t name_len = strlen(name);
    for (const char *line = headers; line && *line; line = strstr(line, "\r\n")) {
        if (line[0] == '\r')
            line += 2;
        if (strncasecmp(line, name, name_len) == 0 && line[name_len] == ':') {
            const char *value = line + name_len + 1;
            while (*value == ' ' || *value == '\t')
                value++;
            size_t len = strcspn(value, "\r\n");
            if (len >= cap)
                len = cap - 1;
            memcpy(out, value, len);
            out[len] = '\0';
            return 1;
        }
    }
    return 0;
}

/* Parses the request at the head of c->in (ending at `end`, the blank
 * line) and sets up the response. */
static void handle_request(struct connection *c, char *end)
{
    *end = '\0';
    char *line_end = strstr(c->in, "\r\n");
    char *headers = line_end ? line_end + 2 : end;
    if (line_end)
        *line_end = '\0';
    char *cursor = c->in;
    char *method = next_token(&cursor, 15);
    char *target = method ? next_token(&cursor, PATH_MAX_LEN - 1) : NULL;
    char *version = target ? next_token(&cursor, 15) : NULL;
    char connection[32] = "";
    static const char bad[] = "bad request\n";
    if (version == NULL || strncmp(version, "HTTP/1.", 7) != 0) {
        c->close_after = 1;
        respond(c, 400, "Bad Request", "text/plain", bad, sizeof bad - 1, 0);
        return;
    }
    header_value(headers, "Connection", connection, sizeof connection);
    int http10 = strcmp(version, "HTTP/1.0") == 0;
    c->close_after = http10 ? strcasecmp(connection, "keep-alive") != 0 : strcasecmp(connection, "close") == 0;
    int head_only = strcmp(method, "HEAD") == 0;
    if (!head_only && strcmp(method, "GET") != 0) {
        static const char text[] = "method not allowed\n";
        c->close_after = 1; /* a body may follow that is not read */
        respond(c, 405, "Method Not Allowed", "text/plain", text, sizeof text - 1, 0);
        return;
    }
    target[strcspn(target, "?#")] = '\0';
    const struct file *file = safe_path(target) ? lookup(target) : NULL;
    if (file == NULL) {
        static const char text[] = "not found\n";
        respond(c, 404, "Not Found", "text/plain", text, sizeof text - 1, head_only);
        return;
    }
    respond(c, 200, "OK", file->type, file->data, file->size, head_only);
}

static void close_connection(int index)
{
    close(connections[index]->fd);
    free(connections[index]);
    connections[index] = connections[--connection_count];
}

/* Sends what is pending; 1: all sent, 0: would block, -1: the peer is gone. */
static int flush(struct connection *c)
{
    while (c->head_sent < c->head_len || c->body_sent < c->body_len) {
        struct iovec parts[2];
        int count = 0;
        if (c->head_sent < c->head_len)
            parts[count++] = (struct iovec){c->head + c->head_sent, c->head_len - c->head_sent};
        if (c->body_sent < c->body_len)
            parts[count++] = (struct iovec){(void *)(c->body + c->body_sent), c->body_len - c->body_sent};
        ssize_t n = writev(c->fd, parts, count);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        size_t sent = (size_t)n;
        size_t head_part = c->head_len - c->head_sent < sent ? c->head_len - c->head_sent : sent;
        c->head_sent += head_part;
        c->body_sent += sent - head_part;
    }
    return 1;
}

/* Answers every complete request in the buffer while responses go out
 * whole; 0 keeps the connection, -1 closes it. */
static int serve(struct connection *c)
{
    for (;;) {
        int sent = flush(c);
        if (sent <= 0)
            return sent;
        if (c->close_after)
            return -1;
        char *end = NULL;
        for (char *cr = c->in; (cr = memchr(cr, '\r', c->in_len - (size_t)(cr - c->in))) != NULL; cr++)
            if (c->in_len - (size_t)(cr - c->in) >= 4 && memcmp(cr, "\r\n\r\n", 4) == 0) {
                end = cr;
                break;
            }
        if (end == NULL) {
            if (c->in_len == sizeof c->in)
                return -1; /* a request header larger than the buffer */
            return 0;
        }
        size_t used = (size_t)(end - c->in) + 4;
        handle_request(c, end);
        memmove(c->in, c->in + used, c->in_len - used);
        c->in_len -= used;
    }
}

static void set_nonblocking(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 8080;
    if (argc > 2)
        root = argv[2];
#ifndef __wasi__
    signal(SIGPIPE, SIG_IGN); /* a reset peer is a write error */
#endif
    int listener = listen_tcp(port, 511);
    if (listener < 0) {
        fprintf(stderr, "static-web: cannot listen on port %d: %s\n", port, strerror(errno));
        return 1;
    }
    set_nonblocking(listener);
    fprintf(stderr, "static-web: serving %s on port %d\n", root, port);

    static struct pollfd fds[MAX_CONNECTIONS + 1];
    for (;;) {
        int n = 0;
        fds[n++] = (struct pollfd){.fd = listener, .events = connection_count < MAX_CONNECTIONS ? POLLIN : 0};
        for (int i = 0; i < connection_count; i++) {
            struct connection *c = connections[i];
            int pending = c->head_sent < c->head_len || c->body_sent < c->body_len;
            fds[n++] = (struct pollfd){.fd = c->fd, .events = pending ? POLLOUT : POLLIN};
        }
        if (poll(fds, (nfds_t)n, -1) < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "static-web: poll: %s\n", strerror(errno));
            return 1;
        }
        /* Connections first, from the last: closing one moves the last
         * into its place, which was already looked at. */
        for (int i = connection_count - 1; i >= 0; i--) {
            struct connection *c = connections[i];
            short revents = fds[i + 1].revents;
            if (revents == 0)
                continue;
            int keep = 0;
            if (revents & POLLOUT) {
                keep = serve(c);
            } else {
                ssize_t got = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
                if (got > 0) {
                    c->in_len += (size_t)got;
                    keep = serve(c);
                } else if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                    keep = 0;
                } else {
                    keep = -1; /* end of stream, or reset */
                }
            }
            if (keep < 0)
                close_connection(i);
        }
        if (fds[0].revents & POLLIN) {
            while (connection_count < MAX_CONNECTIONS) {
                int fd = accept(listener, NULL, NULL);
                if (fd < 0)
                    break;
                set_nonblocking(fd);
                struct connection *c = calloc(1, sizeof *c);
                if (c == NULL) {
                    close(fd);
                    break;
                }
                c->fd = fd;
                connections[connection_count++] = c;
            }
        }
    }
}
