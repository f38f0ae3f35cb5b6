# Homebrew formula for ia on macOS: the tools whose backends build there (ia-idle,
# ia-submit, ia-status, ia-cancel, and ia-node with the weaker macOS sandbox behind
# ia-sandbox). The scheduler, ia-sched, is for Linux servers (the Debian package).
#
# scripts/release writes a copy of this file beside the tarball, with url and sha256
# naming that tarball; install from that copy (README, "Install").
class Ia < Formula
  desc "Idle-time compute pool: run scripts on machines whose owners are away"
  homepage "https://example.org/ia" # no public site yet: set it with the first one
  url "file:///dev/null/ia-0.1.0.tar.gz" # scripts/release: the tarball it made
  sha256 "0000000000000000000000000000000000000000000000000000000000000000" # scripts/release
  license "MIT"

  depends_on "cli11" => :build
  depends_on "cmake" => :build
  depends_on "ninja" => :build
  depends_on "pkg-config" => :build
  depends_on "tomlplusplus" => :build
  depends_on :macos
  depends_on "boost"
  depends_on "fmt"
  depends_on "libpq"
  depends_on "openssl@3"
  depends_on "simdjson"
  uses_from_macos "curl"
  uses_from_macos "sqlite"

  TOOLS = %w[ia-idle ia-submit ia-status ia-cancel ia-sandbox ia-node].freeze

  def install
    system "cmake", "-S", ".", "-B", "build", "-G", "Ninja",
           "-DIA_BUILD_TESTS=OFF", "-DIA_BUILD_BENCH=OFF", "-DIA_WERROR=OFF",
           *std_cmake_args
    system "cmake", "--build", "build", "--target", *TOOLS
    TOOLS.each do |tool|
      bin.install "build/bin/#{tool}"
      man1.install "man/#{tool}.1"
      bash_completion.install "completions/bash/#{tool}"
      zsh_completion.install "completions/zsh/_#{tool}"
      fish_completion.install "completions/fish/#{tool}.fish"
    end
    man5.install "man/ia.toml.5"
    (pkgshare/"examples").install "packaging/ia.toml"
  end

  def caveats
    <<~EOS
      ia reads /etc/ia/ia.toml and ~/.config/ia/ia.toml; a commented example with
      every key is in #{opt_pkgshare}/examples/ia.toml.
    EOS
  end

  # ia-node as a launchd agent of the logged-in user, who lends the Mac while away.
  service do
    run [opt_bin/"ia-node", "run"]
    environment_variables IA_NODE_STATE_DIR: var/"ia/node"
    keep_alive successful_exit: false
    log_path var/"log/ia-node.log"
    error_log_path var/"log/ia-node.log"
  end

  test do
    assert_match "ia-idle #{version}", shell_output("#{bin}/ia-idle --version")
    assert_match "--wait", shell_output("#{bin}/ia-submit --help")
    # No scheduler listens here: the client must say so and exit 3, not hang or crash.
    output = shell_output("#{bin}/ia-status --server http://127.0.0.1:9 2>&1", 3)
    assert_match "ia-status", output
  end
end
