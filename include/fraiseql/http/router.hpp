#pragma once
/// Maps a path and method to a handler; answers 404 and 405 itself.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fraiseql/http/message.hpp"

namespace fraiseql::http {

/// Completes an asynchronous request exactly once, from any thread; the response is
/// written on the connection's own thread. Dropping it unsent answers 500.
class Completion {
 public:
  class Sink {
   public:
    virtual ~Sink() = default;
    virtual void complete(Response response) = 0;
  };

  explicit Completion(std::shared_ptr<Sink> sink) : sink_(std::move(sink)) {}
  Completion(Completion&&) noexcept = default;
  Completion& operator=(Completion&&) noexcept = default;
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;
  ~Completion();

  void send(Response response);

 private:
  std::shared_ptr<Sink> sink_;
};

using SyncHandler = std::function<Response(const Request&)>;
using AsyncHandler = std::function<void(Request&&, Completion)>;

struct Route {
  std::string path;                  // exact match
  std::vector<std::string> methods;  // e.g. {"GET"}; HEAD is allowed wherever GET is
  SyncHandler sync;                  // one of sync / async
  AsyncHandler async;
};

class Router {
 public:
  void add(Route route);

  /// The route for a path, or nullptr.
  [[nodiscard]] const Route* find(std::string_view path) const noexcept;

  /// Index of a route in registration order (a stable metric label), or -1.
  [[nodiscard]] int index_of(const Route* route) const noexcept;
  [[nodiscard]] const std::vector<Route>& routes() const noexcept { return routes_; }

  /// Whether `method` is allowed on `route` (HEAD follows GET).
  static bool allows(const Route& route, std::string_view method) noexcept;
  /// Value of the Allow header for 405 answers.
  static std::string allow_header(const Route& route);

 private:
  std::vector<Route> routes_;
};

}  // namespace fraiseql::http
