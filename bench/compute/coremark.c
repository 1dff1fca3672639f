/* A CoreMark-style mix (not the EEMBC benchmark): linked-list find and
 * reverse, small integer matrix operations, a state-machine scanner and
 * CRC-16, each feeding the next iteration's seed. */
#include <stdint.h>
#include <stdio.h>

#define ITERATIONS 48000
#define LIST 400
#define MAT 24
#define TEXT 1200

struct node { struct node *next; int16_t value, index; };

static struct node nodes[LIST];
static int16_t ma[MAT][MAT], mb[MAT][MAT];
static int32_t mc[MAT][MAT];
static char text[TEXT];

static uint16_t crc16(uint16_t crc, uint8_t byte) {
    for (int i = 0; i < 8; i++) {
        int carry = (crc ^ byte) & 1;
        crc >>= 1;
        byte >>= 1;
        if (carry) crc ^= 0xA001;
    }
    return crc;
}

static struct node *reverse(struct node *list) {
    struct node *out = 0;
    while (list) { struct node *next = list->next; list->next = out; out = list; list = next; }
    return out;
}

static uint16_t list_bench(struct node **head, int16_t seed) {
    uint16_t crc = 0;
    for (int k = 0; k < 8; k++) {
        int16_t want = (int16_t)((seed + k * 37) & 0xFF);
        int found = -1, steps = 0;
        for (struct node *n = *head; n; n = n->next, steps++)
            if ((n->value & 0xFF) == want) { found = n->index; break; }
        crc = crc16(crc, (uint8_t)found);
        crc = crc16(crc, (uint8_t)steps);
        *head = reverse(*head);
    }
    return crc;
}

static uint16_t matrix_bench(int16_t seed) {
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) ma[i][j] = (int16_t)(ma[i][j] + seed);
    int32_t acc = 0;
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            int32_t sum = 0;
            for (int k = 0; k < MAT; k++) sum += (int32_t)ma[i][k] * mb[k][j];
            mc[i][j] = sum;
            acc += sum > 0x1000 ? (sum >> 3) : -(sum & 0x7);
        }
    uint16_t crc = 0;
    for (int i = 0; i < MAT; i++) crc = crc16(crc, (uint8_t)(mc[i][i] ^ acc));
    return crc;
}

enum state { START, INT, FLOAT, EXPONENT, SCIENTIFIC, INVALID };

static uint16_t state_bench(int16_t seed) {
    int counts[6] = {0};
    for (int i = 0; i < TEXT; i += 8) text[(i + seed) % TEXT] ^= (char)1;
    enum state s = START;
    for (int i = 0; i < TEXT; i++) {
        char c = text[i];
        if (c == ',') { counts[s]++; s = START; continue; }
        switch (s) {
        case START: s = c >= '0' && c <= '9' ? INT : c == '.' ? FLOAT : INVALID; break;
        case INT: s = c >= '0' && c <= '9' ? INT : c == '.' ? FLOAT : c == 'e' ? EXPONENT : INVALID; break;
        case FLOAT: s = c >= '0' && c <= '9' ? FLOAT : c == 'e' ? EXPONENT : INVALID; break;
        case EXPONENT: s = c == '-' || c == '+' || (c >= '0' && c <= '9') ? SCIENTIFIC : INVALID; break;
        case SCIENTIFIC: s = c >= '0' && c <= '9' ? SCIENTIFIC : INVALID; break;
        case INVALID: break;
        }
    }
    uint16_t crc = 0;
    for (int i = 0; i < 6; i++) crc = crc16(crc, (uint8_t)counts[i]);
    return crc;
}

int main(void) {
    uint32_t seed = 0x1234;
    for (int i = 0; i < LIST; i++) {
        seed = seed * 1103515245u + 12345u;
        nodes[i].value = (int16_t)(seed >> 16);
        nodes[i].index = (int16_t)i;
        nodes[i].next = i + 1 < LIST ? &nodes[i + 1] : 0;
    }
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            seed = seed * 1103515245u + 12345u;
            ma[i][j] = (int16_t)((seed >> 16) & 0xFF);
            mb[i][j] = (int16_t)((seed >> 8) & 0xFF);
        }
    static const char pieces[] = "123,4.5,6e7,-1,8.9e-2,abc,77,";
    for (int i = 0; i < TEXT; i++) text[i] = pieces[i % (sizeof pieces - 1)];
    struct node *head = &nodes[0];
    uint16_t crc = 0;
    for (int it = 0; it < ITERATIONS; it++) {
        int16_t s = (int16_t)(crc ^ it);
        crc = crc16(crc, (uint8_t)list_bench(&head, s));
        crc = crc16(crc, (uint8_t)matrix_bench(s));
        crc = crc16(crc, (uint8_t)state_bench(s));
    }
    printf("checksum %04x\n", crc);
    return 0;
}
