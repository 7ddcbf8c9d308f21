// The one mapping between the plugin SDK's unit type and the domain's: the config and the family
// plugins speak the SDK's enum, the database and the admin API the domain's. (Nothing maps the
// other way: a license's unit never reaches a plugin, which gets its product's from the config.)
#pragma once

#include "domain/unit_type.hpp"
#include "lmp/sdk/family.hpp"

namespace lmp::domain {

UnitType from_sdk(sdk::UnitType unit);

}  // namespace lmp::domain
