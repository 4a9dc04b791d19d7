#pragma once
#include <cstdio>
// Inline functions and templates instantiated in every file: COMDAT groups, one copy kept.
template <typename T> T clamp_add(T a, T b, T hi) { T s = a + b; return s > hi ? hi : s; }
inline int shared_counter() { static int n = 0; return ++n; }
inline void (*address_of_inline())() { return [] { std::puts("lambda"); }; }
inline const char *inline_string() { return "inline string"; }
template <typename T> struct Box { static int instances; T value; };
template <typename T> int Box<T>::instances = 0;
