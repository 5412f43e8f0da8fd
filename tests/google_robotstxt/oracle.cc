// Google's robots.txt matcher as a filter, for tests/test_robotstxt_differential.py.
// robots.cc, robots.h and LICENSE (Apache-2.0) are google/robotstxt at commit 22b355f,
// unchanged. Reads records "<n>\n<n bytes of robots.txt>\n<agent>\n<url>\n" from stdin and
// prints "<1 allowed | 0 disallowed> <deciding line, 0 for none>" for each.
#include <iostream>
#include <string>
#include <vector>

#include "robots.h"

int main() {
  std::ios::sync_with_stdio(false);
  std::string header;
  while (std::getline(std::cin, header)) {
    std::string body(std::stoul(header), '\0');
    std::cin.read(&body[0], static_cast<std::streamsize>(body.size()));
    std::string end_of_body, agent, url;
    std::getline(std::cin, end_of_body);
    std::getline(std::cin, agent);
    std::getline(std::cin, url);
    googlebot::RobotsMatcher matcher;
    std::vector<std::string> agents{agent};
    const bool allowed = matcher.AllowedByRobots(body, &agents, url);
    std::cout << (allowed ? 1 : 0) << " " << matcher.matching_line() << "\n";
  }
}
