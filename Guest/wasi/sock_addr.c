/*
 * sock_addr.c: WasmEdge's socket addresses (v1 and v2 layouts, see
 * kernel.h) and sock_getaddrinfo. getaddrinfo answers in the guest, with
 * no exit: numeric IPv4 and IPv6 hosts, "localhost", and no host (the
 * wildcard address with AI_PASSIVE, else loopback); numeric services and
 * "http"/"https". A name that needs DNS is EAI_NONAME: the container's
 * resolver is not reachable from the monitor's confinement.
 */
#include "kernel.h"

#define V2_FAMILY_INET 1
#define V2_FAMILY_INET6 2

static uint32_t address_buffer(uint32_t addr_ptr, uint32_t *buf,
                               uint32_t *len)
{
    if (!mewz_guest_range_ok(addr_ptr, 8))
        return MEWZ_WASI_EFAULT;
    *buf = mewz_guest_load_u32(addr_ptr);
    *len = mewz_guest_load_u32(addr_ptr + 4);
    return mewz_guest_range_ok(*buf, *len) ? MEWZ_WASI_ESUCCESS
                                           : MEWZ_WASI_EFAULT;
}

uint32_t mewz_sockaddr_read(uint32_t addr_ptr, uint32_t port,
                            struct mewz_hc_sockaddr *out)
{
    uint32_t buf, len;
    uint32_t err = address_buffer(addr_ptr, &buf, &len);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    if (port > UINT16_MAX)
        return MEWZ_WASI_EINVAL;
    *out = (struct mewz_hc_sockaddr){.port = (uint16_t)port};
    const uint8_t *bytes = mewz_guest_ptr(buf);
    uint32_t family = len == 4 ? V2_FAMILY_INET : len == 16 ? V2_FAMILY_INET6 : 0;
    if (len >= MEWZ_WASMEDGE_ADDRESS_V2_MIN) {
        family = bytes[0] | (uint32_t)bytes[1] << 8;
        bytes += 2;
        if (family != V2_FAMILY_INET && family != V2_FAMILY_INET6)
            return MEWZ_WASI_EAFNOSUPPORT;
    } else if (family == 0) {
        return MEWZ_WASI_EINVAL;
    }
    out->family = family == V2_FAMILY_INET ? MEWZ_SOCK_AF_INET : MEWZ_SOCK_AF_INET6;
    memcpy(out->addr, bytes, family == V2_FAMILY_INET ? 4 : 16);
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_sockaddr_write(uint32_t addr_ptr,
                             const struct mewz_hc_sockaddr *address)
{
    uint32_t buf, len;
    uint32_t err = address_buffer(addr_ptr, &buf, &len);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    bool v4 = address->family == MEWZ_SOCK_AF_INET;
    uint32_t size = v4 ? 4 : 16;
    uint8_t *bytes = mewz_guest_ptr(buf);
    if (len >= MEWZ_WASMEDGE_ADDRESS_V2_MIN) {
        memset(bytes, 0, len);
        mewz_guest_store_u16(buf, v4 ? V2_FAMILY_INET : V2_FAMILY_INET6);
        memcpy(bytes + 2, address->addr, size);
        return MEWZ_WASI_ESUCCESS;
    }
    if (len < size)
        return MEWZ_WASI_EINVAL;
    memcpy(bytes, address->addr, size);
    /* v1 reports the length it wrote, as WasmEdge does. */
    mewz_guest_store_u32(addr_ptr + 4, size);
    return MEWZ_WASI_ESUCCESS;
}

/* ---- Numeric addresses ------------------------------------------------- */

static bool parse_ipv4(const char *text, uint32_t len, uint8_t out[4])
{
    uint32_t part = 0, digits = 0, value = 0;
    bool leading_zero = false;
    for (uint32_t i = 0; i <= len; i++) {
        if (i == len || text[i] == '.') {
            if (digits == 0 || part > 3)
                return false;
            out[part++] = (uint8_t)value;
            value = digits = 0;
        } else if (text[i] >= '0' && text[i] <= '9' && digits < 3) {
            /* No leading zeros, as inet_pton. */
            if (digits == 0)
                leading_zero = text[i] == '0';
            else if (leading_zero)
                return false;
            value = value * 10 + (uint32_t)(text[i] - '0');
            if (value > 255)
                return false;
            digits++;
        } else {
            return false;
        }
    }
    return part == 4;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Groups of up to four hex digits separated by ':', at most one "::", an
 * IPv4 tail allowed. */
static bool parse_ipv6(const char *text, uint32_t len, uint8_t out[16])
{
    uint16_t groups[8] = {0};
    int count = 0, gap = -1;
    uint32_t i = 0;
    if (len >= 2 && text[0] == ':' && text[1] == ':') {
        gap = 0;
        i = 2;
    } else if (len > 0 && text[0] == ':') {
        return false;
    }
    while (i < len) {
        uint32_t start = i, value = 0;
        while (i < len && hex_digit(text[i]) >= 0 && i - start < 4)
            value = value << 4 | (uint32_t)hex_digit(text[i++]);
        if (i < len && text[i] == '.') {
            /* An IPv4 tail: two groups. */
            uint8_t v4[4];
            if (count > 6 || !parse_ipv4(text + start, len - start, v4))
                return false;
            groups[count++] = (uint16_t)(v4[0] << 8 | v4[1]);
            groups[count++] = (uint16_t)(v4[2] << 8 | v4[3]);
            i = len;
            break;
        }
        if (i == start || count == 8)
            return false;
        groups[count++] = (uint16_t)value;
        if (i == len)
            break;
        if (text[i] != ':')
            return false;
        i++;
        if (i < len && text[i] == ':') {
            if (gap >= 0)
                return false;
            gap = count;
            i++;
        } else if (i == len) {
            return false; /* a trailing single ':' */
        }
    }
    if (gap < 0 && count != 8)
        return false;
    if (gap >= 0 && count > 7)
        return false;
    uint16_t full[8] = {0};
    int tail = gap < 0 ? 0 : count - gap;
    for (int g = 0; g < count - tail; g++)
        full[g] = groups[g];
    for (int g = 0; g < tail; g++)
        full[8 - tail + g] = groups[gap + g];
    for (int g = 0; g < 8; g++) {
        out[2 * g] = (uint8_t)(full[g] >> 8);
        out[2 * g + 1] = (uint8_t)full[g];
    }
    return true;
}

bool mewz_sockaddr_parse(const char *text, uint32_t len,
                         struct mewz_hc_sockaddr *out)
{
    *out = (struct mewz_hc_sockaddr){0};
    if (parse_ipv4(text, len, out->addr)) {
        out->family = MEWZ_SOCK_AF_INET;
        return true;
    }
    if (parse_ipv6(text, len, out->addr)) {
        out->family = MEWZ_SOCK_AF_INET6;
        return true;
    }
    return false;
}

/* ---- getaddrinfo ------------------------------------------------------- */

/* __wasi_addrinfo_t (28 bytes) and __wasi_sockaddr_t (12 bytes) offsets. */
#define AI_FLAGS 0
#define AI_FAMILY 2
#define AI_SOCKTYPE 3
#define AI_PROTOCOL 4
#define AI_ADDRLEN 8
#define AI_ADDR 12
#define AI_CANONNAME_LEN 20
#define AI_NEXT 24
#define AI_SIZE 28
#define SA_FAMILY 0
#define SA_DATA_LEN 4
#define SA_DATA 8
#define SA_SIZE 12
#define AI_PASSIVE 1
#define PROTOCOL_TCP 1
#define PROTOCOL_UDP 2

static bool text_is(const char *text, uint32_t len, const char *word)
{
    return len == strlen(word) && memcmp(text, word, len) == 0;
}

static uint32_t parse_service(const char *text, uint32_t len, uint16_t *port)
{
    uint32_t value = 0;
    if (len == 0) {
        *port = 0;
        return MEWZ_WASI_ESUCCESS;
    }
    if (text_is(text, len, "http")) {
        *port = 80;
        return MEWZ_WASI_ESUCCESS;
    }
    if (text_is(text, len, "https")) {
        *port = 443;
        return MEWZ_WASI_ESUCCESS;
    }
    for (uint32_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9' || i >= 5)
            return MEWZ_WASI_EAI_SERVICE;
        value = value * 10 + (uint32_t)(text[i] - '0');
    }
    if (value > UINT16_MAX)
        return MEWZ_WASI_EAI_SERVICE;
    *port = (uint16_t)value;
    return MEWZ_WASI_ESUCCESS;
}

/* The candidate addresses for node (families in order), at most two. */
static uint32_t resolve_node(const char *node, uint32_t len, bool passive,
                             struct mewz_hc_sockaddr out[2], uint32_t *count)
{
    *count = 0;
    struct mewz_hc_sockaddr numeric;
    if (len > 0 && mewz_sockaddr_parse(node, len, &numeric)) {
        out[(*count)++] = numeric;
        return MEWZ_WASI_ESUCCESS;
    }
    if (len > 0 && !text_is(node, len, "localhost"))
        return MEWZ_WASI_EAI_NONAME;
    bool wildcard = len == 0 && passive;
    out[0] = (struct mewz_hc_sockaddr){.family = MEWZ_SOCK_AF_INET};
    out[1] = (struct mewz_hc_sockaddr){.family = MEWZ_SOCK_AF_INET6};
    if (!wildcard) {
        out[0].addr[0] = 127;
        out[0].addr[3] = 1;
        out[1].addr[15] = 1;
    }
    *count = 2;
    return MEWZ_WASI_ESUCCESS;
}

/* Fills one guest-allocated addrinfo (and its sockaddr and sa_data) with
 * address; sa_data holds what Linux's sockaddr holds after the family: the
 * port (big-endian), then for IPv4 the address, for IPv6 the flow info (0)
 * and the address, cut to sa_data_len. */
static uint32_t fill_entry(uint32_t info, const struct mewz_hc_sockaddr *address,
                           uint8_t socktype)
{
    if (!mewz_guest_range_ok(info, AI_SIZE))
        return MEWZ_WASI_EFAULT;
    uint32_t sockaddr = mewz_guest_load_u32(info + AI_ADDR);
    if (!mewz_guest_range_ok(sockaddr, SA_SIZE))
        return MEWZ_WASI_EFAULT;
    uint32_t data = mewz_guest_load_u32(sockaddr + SA_DATA);
    uint32_t data_len = mewz_guest_load_u32(sockaddr + SA_DATA_LEN);
    if (!mewz_guest_range_ok(data, data_len))
        return MEWZ_WASI_EFAULT;
    bool v4 = address->family == MEWZ_SOCK_AF_INET;
    uint8_t wasi_family = v4 ? V2_FAMILY_INET : V2_FAMILY_INET6;
    uint8_t bytes[22] = {(uint8_t)(address->port >> 8), (uint8_t)address->port};
    memcpy(bytes + (v4 ? 2 : 6), address->addr, v4 ? 4 : 16);
    uint32_t used = v4 ? 6 : 22;
    memset(mewz_guest_ptr(data), 0, data_len);
    memcpy(mewz_guest_ptr(data), bytes, data_len < used ? data_len : used);

    mewz_guest_store_u16(info + AI_FLAGS, 0);
    mewz_guest_ptr(info)[AI_FAMILY] = wasi_family;
    mewz_guest_ptr(info)[AI_SOCKTYPE] = socktype;
    mewz_guest_ptr(info)[AI_PROTOCOL] =
        socktype == MEWZ_SOCK_STREAM ? PROTOCOL_TCP : PROTOCOL_UDP;
    mewz_guest_store_u32(info + AI_ADDRLEN, v4 ? 16 : 28);
    mewz_guest_store_u32(info + AI_CANONNAME_LEN, 0);
    mewz_guest_ptr(sockaddr)[SA_FAMILY] = wasi_family;
    return MEWZ_WASI_ESUCCESS;
}

uint32_t mewz_wasi_sock_getaddrinfo(uint32_t node, uint32_t node_len,
                                    uint32_t service, uint32_t service_len,
                                    uint32_t hints, uint32_t res,
                                    uint32_t max_res_len, uint32_t res_len_out)
{
    if (!mewz_guest_range_ok(node, node_len) ||
        !mewz_guest_range_ok(service, service_len) ||
        !mewz_guest_range_ok(hints, AI_SIZE) ||
        !mewz_guest_range_ok(res, sizeof(uint32_t)) ||
        !mewz_guest_range_ok(res_len_out, sizeof(uint32_t)))
        return MEWZ_WASI_EFAULT;
    /* Lengths may count a trailing NUL, as C callers pass strlen + 1. */
    const char *node_text = (const char *)mewz_guest_ptr(node);
    const char *service_text = (const char *)mewz_guest_ptr(service);
    while (node_len > 0 && node_text[node_len - 1] == '\0')
        node_len--;
    while (service_len > 0 && service_text[service_len - 1] == '\0')
        service_len--;
    if (node_len == 0 && service_len == 0)
        return MEWZ_WASI_EAI_NONAME;

    uint16_t flags;
    memcpy(&flags, mewz_guest_ptr(hints + AI_FLAGS), sizeof flags);
    uint8_t family = mewz_guest_ptr(hints)[AI_FAMILY];
    uint8_t socktype = mewz_guest_ptr(hints)[AI_SOCKTYPE];
    if (family > V2_FAMILY_INET6)
        return MEWZ_WASI_EAI_FAMILY;
    if (socktype > MEWZ_SOCK_STREAM)
        return MEWZ_WASI_EAI_SOCKTYPE;
    uint16_t port;
    uint32_t err = parse_service(service_text, service_len, &port);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;
    struct mewz_hc_sockaddr candidates[2];
    uint32_t count;
    err = resolve_node(node_text, node_len, flags & AI_PASSIVE, candidates,
                       &count);
    if (err != MEWZ_WASI_ESUCCESS)
        return err;

    /* res holds the first of the guest's chain of addrinfo structs. */
    uint32_t info = mewz_guest_load_u32(res);
    uint32_t filled = 0;
    const uint8_t types[2] = {MEWZ_SOCK_STREAM, MEWZ_SOCK_DGRAM};
    for (uint32_t c = 0; c < count; c++) {
        uint8_t wasi_family = candidates[c].family == MEWZ_SOCK_AF_INET
                                  ? V2_FAMILY_INET
                                  : V2_FAMILY_INET6;
        if (family != 0 && family != wasi_family)
            continue;
        candidates[c].port = port;
        for (uint32_t t = 0; t < 2; t++) {
            if ((socktype != 0 && socktype != types[t]) ||
                filled == max_res_len || info == 0)
                continue;
            err = fill_entry(info, &candidates[c], types[t]);
            if (err != MEWZ_WASI_ESUCCESS)
                return err;
            filled++;
            info = mewz_guest_load_u32(info + AI_NEXT);
        }
    }
    if (filled == 0)
        return MEWZ_WASI_EAI_NONAME;
    mewz_guest_store_u32(res_len_out, filled);
    return MEWZ_WASI_ESUCCESS;
}
