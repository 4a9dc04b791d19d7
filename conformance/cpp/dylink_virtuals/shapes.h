// Classes with virtual functions shared by a library and the main module.
extern "C" void print_str(const char *);
extern "C" void print_int(int);

struct Shape {
  virtual ~Shape();
  virtual int area() const;
  virtual const char *name() const;
  int scaled(int k) const { return k * area(); }
};

// Built by the library, used by the main module through `Shape`.
Shape *make_square(int side);
Shape *make_rect(int w, int h);
// Calls a virtual function of an object the main module made.
int describe(const Shape &s);
