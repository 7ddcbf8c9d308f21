// lmpctl's one name-or-id resolution: an argument that names a customer, partner, user, plan or
// product (Param::names) takes its name as well as its id, and the name becomes the id before
// the call, looked up in the list the API gives the caller.
#pragma once

#include <boost/json/array.hpp>
#include <functional>
#include <string>

#include "command_line.hpp"

namespace lmpctl {

// Every item of GET `path` (every page), as the caller's token sees them.
using ListAll = std::function<boost::json::array(const std::string& path)>;

// The id `text` stands for: an integer (a product's code) as it is, else the id of the one item
// named `text` of the list. Throws UsageError when no item or several items have that name.
std::string resolve_name(Names what, const std::string& text, const ListAll& list_all);

// Every argument of the line that names something, its name replaced by the id (nothing is
// listed when every such argument is an id already).
void resolve_names(CommandLine& line, const ListAll& list_all);

}  // namespace lmpctl
