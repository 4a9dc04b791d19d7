// malloc, realloc, calloc and free: a linked list, a growing buffer and qsort.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node { int value; struct node *next; };

static int cmp(const void *a, const void *b) {
    return *(const int *)a - *(const int *)b;
}

int main(void) {
    struct node *head = NULL;
    for (int i = 0; i < 1000; i++) {
        struct node *n = malloc(sizeof *n);
        n->value = (i * 7919) % 1000;
        n->next = head;
        head = n;
    }
    int *arr = NULL;
    size_t len = 0;
    for (struct node *n = head; n; n = n->next) {
        arr = realloc(arr, (len + 1) * sizeof *arr);
        arr[len++] = n->value;
    }
    qsort(arr, len, sizeof *arr, cmp);
    printf("first %d last %d median %d\n", arr[0], arr[len - 1], arr[len / 2]);
    char *zeros = calloc(4096, 1);
    printf("calloc zeroed: %d\n", memcmp(zeros, zeros + 2048, 2048) == 0 && zeros[0] == 0);
    while (head) { struct node *n = head->next; free(head); head = n; }
    free(arr);
    free(zeros);
    return 0;
}
