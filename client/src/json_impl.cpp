// The compiled parts of Boost.JSON and Boost.URL, built into the client library (their
// header-only mode), so that an endpoint needs no Boost libraries at run time.
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
