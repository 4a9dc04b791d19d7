static int helper(void) { return 2; }
static int state = 200;
int from_b(void) { return helper() + state; }
