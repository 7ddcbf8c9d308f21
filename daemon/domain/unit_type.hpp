// The unit a license counts: the domain's own enum, so that the database and the admin API do not
// depend on the plugin SDK's (domain/sdk_unit_type.hpp is the one place that maps the two).
#pragma once

#include "domain/enum_names.hpp"

namespace lmp::domain {

enum class UnitType { seats, endpoints, users, encryption_keys };

template <>
struct EnumNames<UnitType> {
  static constexpr EnumName<UnitType> kNames[] = {{UnitType::seats, "seats"},
                                                  {UnitType::endpoints, "endpoints"},
                                                  {UnitType::users, "users"},
                                                  {UnitType::encryption_keys, "encryption_keys"}};
};

}  // namespace lmp::domain
