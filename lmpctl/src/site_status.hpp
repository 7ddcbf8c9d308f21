// `lmpctl status [PRODUCT]`, the `lmstat -a` of lmpd: per product and license, the units
// licensed, in use and waiting, and who holds them. Built from two paged lists of the API
// (licenses with their usage, and the live leases), so no answer of the server is unbounded.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <ostream>

namespace lmpctl {

// `licenses`: the items of GET /v1/licenses; `leases`: those of GET /v1/leases, for the same
// product filter. {"products": [{"product", "licenses", "units", "used", "waiting",
// "items": [{"license", "customer", "state", "units", "unit", "used", "waiting",
// "holders": [lease...]}]}]}, products by code, licenses by id. A lease of a license missing from
// `licenses` (one created between the two calls) is shown under its license all the same.
boost::json::object site_status(const boost::json::array& licenses,
                                const boost::json::array& leases);

// The human form: one line per product and per license, then the license's holders as a table.
void print_site_status(const boost::json::object& status, std::ostream& out);

}  // namespace lmpctl
