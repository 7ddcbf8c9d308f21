// An answer on its way to its client: the result, the completion that hands it over, and what the
// metrics note about it. Every stage of the seat engine passes answers on in this form.
#pragma once

#include <functional>

#include "seat/seat_command.hpp"
#include "seat/seat_metrics.hpp"

namespace lmp::seat {

// Called exactly once per submitted command. Must not block.
using Completion = std::function<void(SeatResult)>;

struct PendingAnswer {
  SeatResult result;
  Completion done;
  AnswerInfo info;
};

}  // namespace lmp::seat
