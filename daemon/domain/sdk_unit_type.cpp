// Unit types between the SDK and the domain.
#include "domain/sdk_unit_type.hpp"

namespace lmp::domain {

UnitType from_sdk(sdk::UnitType unit) {
  switch (unit) {
    case sdk::UnitType::seats:
      return UnitType::seats;
    case sdk::UnitType::endpoints:
      return UnitType::endpoints;
    case sdk::UnitType::users:
      return UnitType::users;
    case sdk::UnitType::encryption_keys:
      return UnitType::encryption_keys;
  }
  return UnitType::seats;
}

}  // namespace lmp::domain
