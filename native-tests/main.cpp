// main.cpp: the Catch2 test runner of the native test suite.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
