struct entry { const char *name; int (*fn)(int); const int *value; };
int numbers[8] = {0, 10, 20, 30, 40, 50, 60, 70};
static int twice(int x) { return 2 * x; }
static int negate(int x) { return -x; }
const struct entry registry[] = {
    {"twice", twice, &numbers[1]},
    {"negate", negate, &numbers[7]},
};
const int registry_len = 2;
