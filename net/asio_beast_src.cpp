// The one translation unit that compiles Asio, Asio's SSL support and Beast (their
// separate-compilation mode, set up in CMakeLists.txt). Every other file includes only
// their declarations, which keeps the rebuild of any single net/ file short.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
