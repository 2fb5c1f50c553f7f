#include "maze/maze_generator.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <set>
#include <utility>
#include <vector>

#include "maze/seeded_random.h"
#include "maze/shortest_path.h"

namespace osprey::maze {
namespace {

constexpr std::array<std::string_view, 5> kKinds = {"backtracker", "open_field", "rooms", "spiral",
                                                    "scatter"};

double default_density(std::string_view kind) {
  if (kind == "backtracker") return 0.40;
  if (kind == "open_field") return 0.08;
  if (kind == "scatter") return 0.30;
  return 0;  // rooms and spiral have their own structure
}

// The grid under construction; everything outside the border stays a wall.
class Canvas {
 public:
  Canvas(int w, int h, Cell fill) : w_(w), h_(h), cells_(static_cast<std::size_t>(w * h), fill) {}

  int width() const { return w_; }
  int height() const { return h_; }
  bool interior(Position p) const { return p.x > 0 && p.y > 0 && p.x < w_ - 1 && p.y < h_ - 1; }
  Cell& at(Position p) { return cells_[static_cast<std::size_t>(p.y * w_ + p.x)]; }
  void border() {
    for (int x = 0; x < w_; ++x) at({x, 0}) = at({x, h_ - 1}) = Cell::kWall;
    for (int y = 0; y < h_; ++y) at({0, y}) = at({w_ - 1, y}) = Cell::kWall;
  }
  double wall_share() const {
    const auto walls = std::count(cells_.begin(), cells_.end(), Cell::kWall);
    return static_cast<double>(walls) / static_cast<double>(cells_.size());
  }
  std::vector<Cell> take() { return std::move(cells_); }

 private:
  int w_;
  int h_;
  std::vector<Cell> cells_;
};

template <typename T>
void shuffle(std::vector<T>& items, SeededRandom& random) {
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[random.below(i)]);
}

// Interior walls in random order, removed until the wall share falls to `density`.
void knock_out_walls(Canvas& c, double density, SeededRandom& random) {
  std::vector<Position> walls;
  for (int y = 1; y < c.height() - 1; ++y) {
    for (int x = 1; x < c.width() - 1; ++x) {
      if (c.at({x, y}) == Cell::kWall) walls.push_back({x, y});
    }
  }
  shuffle(walls, random);
  const double total = static_cast<double>(c.width() * c.height());
  double share = c.wall_share();
  for (const Position& p : walls) {
    if (share <= density) break;
    c.at(p) = Cell::kEmpty;
    share -= 1.0 / total;
  }
}

void scatter_walls(Canvas& c, double density, SeededRandom& random) {
  for (int y = 1; y < c.height() - 1; ++y) {
    for (int x = 1; x < c.width() - 1; ++x) {
      c.at({x, y}) = random.unit() < density ? Cell::kWall : Cell::kEmpty;
    }
  }
}

// Recursive backtracker on the odd lattice (iterative, so large mazes do not overflow the stack).
void carve_backtracker(Canvas& c, SeededRandom& random) {
  std::vector<Position> stack{{1, 1}};
  c.at({1, 1}) = Cell::kEmpty;
  while (!stack.empty()) {
    const Position p = stack.back();
    std::vector<Direction> options;
    for (Direction d : kDirections) {
      const Position two = step(step(p, d), d);
      if (c.interior(two) && c.at(two) == Cell::kWall) options.push_back(d);
    }
    if (options.empty()) {
      stack.pop_back();
      continue;
    }
    const Direction d = options[random.below(options.size())];
    c.at(step(p, d)) = Cell::kEmpty;
    c.at(step(step(p, d), d)) = Cell::kEmpty;
    stack.push_back(step(step(p, d), d));
  }
}

void carve_rooms(Canvas& c, SeededRandom& random) {
  struct Room {
    int x, y, w, h;
  };
  std::vector<Room> rooms;
  const int attempts = std::max(8, c.width() * c.height() / 60);
  for (int i = 0; i < attempts; ++i) {
    const int w =
        3 + static_cast<int>(random.below(static_cast<std::uint64_t>(std::max(1, c.width() / 6))));
    const int h =
        3 + static_cast<int>(random.below(static_cast<std::uint64_t>(std::max(1, c.height() / 6))));
    if (w >= c.width() - 2 || h >= c.height() - 2) continue;
    const Room r{1 + static_cast<int>(random.below(static_cast<std::uint64_t>(c.width() - 1 - w))),
                 1 + static_cast<int>(random.below(static_cast<std::uint64_t>(c.height() - 1 - h))),
                 w, h};
    const bool overlaps = std::any_of(rooms.begin(), rooms.end(), [&](const Room& o) {
      return r.x <= o.x + o.w && o.x <= r.x + r.w && r.y <= o.y + o.h && o.y <= r.y + r.h;
    });
    if (overlaps) continue;
    for (int y = r.y; y < r.y + r.h; ++y) {
      for (int x = r.x; x < r.x + r.w; ++x) c.at({x, y}) = Cell::kEmpty;
    }
    rooms.push_back(r);
  }
  // Corridors join each room to the next (rooms sorted by position), so all are connected.
  std::sort(rooms.begin(), rooms.end(),
            [](const Room& a, const Room& b) { return a.x + a.y < b.x + b.y; });
  for (std::size_t i = 1; i < rooms.size(); ++i) {
    Position a{rooms[i - 1].x + rooms[i - 1].w / 2, rooms[i - 1].y + rooms[i - 1].h / 2};
    const Position b{rooms[i].x + rooms[i].w / 2, rooms[i].y + rooms[i].h / 2};
    while (a.x != b.x) {
      c.at(a) = Cell::kEmpty;
      a.x += a.x < b.x ? 1 : -1;
    }
    while (a.y != b.y) {
      c.at(a) = Cell::kEmpty;
      a.y += a.y < b.y ? 1 : -1;
    }
    c.at(a) = Cell::kEmpty;
  }
}

// Concentric square walls two cells apart, each with one gap on a random side: the way in winds
// round ring after ring.
void draw_spiral(Canvas& c, SeededRandom& random) {
  for (int k = 2; 2 * k < std::min(c.width(), c.height()) - 1; k += 2) {
    const int x0 = k, y0 = k, x1 = c.width() - 1 - k, y1 = c.height() - 1 - k;
    if (x1 - x0 < 2 || y1 - y0 < 2) break;
    for (int x = x0; x <= x1; ++x) c.at({x, y0}) = c.at({x, y1}) = Cell::kWall;
    for (int y = y0; y <= y1; ++y) c.at({x0, y}) = c.at({x1, y}) = Cell::kWall;
    const int side = static_cast<int>(random.below(4));
    const int along_x =
        x0 + 1 + static_cast<int>(random.below(static_cast<std::uint64_t>(x1 - x0 - 1)));
    const int along_y =
        y0 + 1 + static_cast<int>(random.below(static_cast<std::uint64_t>(y1 - y0 - 1)));
    const Position gap = side == 0   ? Position{along_x, y0}
                         : side == 1 ? Position{along_x, y1}
                         : side == 2 ? Position{x0, along_y}
                                     : Position{x1, along_y};
    c.at(gap) = Cell::kEmpty;
  }
}

Error bad(const std::string& key, const std::string& what) {
  return make_error(ErrorCode::kInvalidRequest, "generator." + key + ": " + what);
}

}  // namespace

Result<GeneratorSpec> parse_generator_spec(const nlohmann::json& node) {
  if (!node.is_object()) return bad("", "must be a JSON object");
  GeneratorSpec spec;
  static const std::set<std::string> known = {"kind",         "width", "height", "seed",
                                              "wall_density", "start", "name"};
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (known.count(it.key()) == 0) return bad(it.key(), "unknown key");
  }
  if (auto it = node.find("kind"); it != node.end()) {
    if (!it->is_string() ||
        std::find(kKinds.begin(), kKinds.end(), it->get<std::string>()) == kKinds.end()) {
      return bad("kind", "must be one of backtracker, open_field, rooms, spiral, scatter");
    }
    spec.kind = it->get<std::string>();
  }
  for (auto [key, out] : {std::pair{"width", &spec.width}, std::pair{"height", &spec.height}}) {
    if (auto it = node.find(key); it != node.end()) {
      if (!it->is_number_integer() || it->get<std::int64_t>() < 7 ||
          it->get<std::int64_t>() > 1000) {
        return bad(key, "must be an integer between 7 and 1000");
      }
      *out = it->get<int>();
    }
  }
  if (auto it = node.find("seed"); it != node.end()) {
    if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<std::int64_t>() >= 0)) {
      return bad("seed", "must be a non-negative integer");
    }
    spec.seed = it->get<std::uint64_t>();
  }
  if (auto it = node.find("wall_density"); it != node.end()) {
    if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 0.9) {
      return bad("wall_density", "must be a number between 0 and 0.9");
    }
    spec.wall_density = it->get<double>();
  }
  if (auto it = node.find("start"); it != node.end()) {
    auto p = parse_position(*it);
    if (!p || p->x < 1 || p->y < 1 || p->x > spec.width - 2 || p->y > spec.height - 2) {
      return bad("start", "must be {x, y} inside the border");
    }
    spec.start = *p;
  }
  if (auto it = node.find("name"); it != node.end()) {
    if (!it->is_string()) return bad("name", "must be a string");
    spec.name = it->get<std::string>();
  }
  return spec;
}

std::span<const std::string_view> generator_kinds() { return kKinds; }

nlohmann::json generator_spec_json(const GeneratorSpec& spec) {
  return {{"kind", spec.kind},
          {"width", spec.width},
          {"height", spec.height},
          {"seed", spec.seed},
          {"wall_density", spec.wall_density < 0 ? default_density(spec.kind) : spec.wall_density},
          {"start", position_json(spec.start)},
          {"name", spec.name.empty() ? spec.kind + "-" + std::to_string(spec.seed) : spec.name}};
}

Result<Maze> generate_maze(const GeneratorSpec& spec) {
  if (std::find(kKinds.begin(), kKinds.end(), spec.kind) == kKinds.end()) {
    return bad("kind", "must be one of backtracker, open_field, rooms, spiral, scatter");
  }
  if (spec.width < 7 || spec.height < 7 || spec.width > 1000 || spec.height > 1000) {
    return bad("width", "width and height must be between 7 and 1000");
  }
  if (spec.start.x < 1 || spec.start.y < 1 || spec.start.x > spec.width - 2 ||
      spec.start.y > spec.height - 2) {
    return bad("start", "must be inside the border");
  }
  const double density = spec.wall_density < 0 ? default_density(spec.kind) : spec.wall_density;
  SeededRandom random(spec.seed);
  const bool carved = spec.kind == "backtracker" || spec.kind == "rooms";
  Canvas c(spec.width, spec.height, carved ? Cell::kWall : Cell::kEmpty);
  if (spec.kind == "backtracker") {
    carve_backtracker(c, random);
    knock_out_walls(c, density, random);
  } else if (spec.kind == "rooms") {
    carve_rooms(c, random);
  } else if (spec.kind == "spiral") {
    draw_spiral(c, random);
  } else {
    scatter_walls(c, density, random);
  }
  c.border();
  Position start = spec.start;
  if (spec.kind == "rooms" && c.at(start) == Cell::kWall) {
    // Rooms sit anywhere: join the start to the nearest open cell with a straight corridor.
    Position p = start;
    while (c.at(p) == Cell::kWall && c.interior(step(p, Direction::kEast))) {
      c.at(p) = Cell::kEmpty;
      p = step(p, Direction::kEast);
    }
    while (c.at(p) == Cell::kWall && c.interior(step(p, Direction::kSouth))) {
      c.at(p) = Cell::kEmpty;
      p = step(p, Direction::kSouth);
    }
  }
  c.at(start) = Cell::kEmpty;

  // The goal: the reachable cell nearest the far corner (the originals put it at (53,53) of 60).
  const int w = spec.width;
  const int h = spec.height;
  std::vector<Cell> cells = c.take();
  cells[static_cast<std::size_t>(start.y * w + start.x)] = Cell::kGoal;  // placeholder for create
  Result<Maze> draft = Maze::create("draft", w, h, cells);
  if (!draft) return draft.error();
  const std::vector<int> dist = bfs_distances(*draft, start);
  const Position corner{std::max(1, w - 7), std::max(1, h - 7)};
  std::optional<std::pair<int, Position>> best;
  for (int y = 1; y < h - 1; ++y) {
    for (int x = 1; x < w - 1; ++x) {
      if (dist[static_cast<std::size_t>(y * w + x)] <= 0) continue;
      const int gap = std::abs(x - corner.x) + std::abs(y - corner.y);
      if (!best || gap < best->first) best = std::pair{gap, Position{x, y}};
    }
  }
  if (!best) return bad("wall_density", "too dense: nothing is reachable from the start");
  cells[static_cast<std::size_t>(start.y * w + start.x)] = Cell::kEmpty;
  cells[static_cast<std::size_t>(best->second.y * w + best->second.x)] = Cell::kGoal;
  const std::string name =
      spec.name.empty() ? spec.kind + "-" + std::to_string(spec.seed) : spec.name;
  return Maze::create(name, w, h, std::move(cells));
}

}  // namespace osprey::maze
