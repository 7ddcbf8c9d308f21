// Throwaway certificates for TLS tests, made with the OpenSSL API: a CA, and server and client
// certificates it signs, written as PEM files.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace lmp::test {

struct IssuedCertificate {
  std::filesystem::path certificate;  // PEM: the certificate, then the CA's (a chain)
  std::filesystem::path key;          // PEM: its private key
  std::string serial;                 // hex, as OpenSSL prints it
};

// Thread safety: none; one test at a time uses a CA.
class TestCa {
 public:
  // Makes a CA key and self-signed certificate named `name`, written to DIR/NAME-ca.pem.
  TestCa(const std::filesystem::path& dir, std::string name);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::filesystem::path& certificate() const { return certificate_; }

  // A certificate for `common_name` with this serial, valid for 127.0.0.1 and localhost (as a
  // server) and as a client, written to DIR/STEM.pem and DIR/STEM-key.pem.
  IssuedCertificate issue(const std::string& stem, const std::string& common_name, long serial);

 private:
  struct Keys;
  std::unique_ptr<Keys> keys_;
  std::filesystem::path dir_;
  std::filesystem::path certificate_;
};

}  // namespace lmp::test
