static int helper(void) { return 3; }
static int state = 300;
int from_c(void) { return helper() + state; }
