# Writes OUTPUT, a help2man include file whose section "ADMIN COMMANDS" is `LMPD admin --help` as
# it is (no-fill roff), so that lmpd(8) documents `lmpd admin` from the same source as its
# --help. Run by packaging/CMakeLists.txt with -DLMPD=... -DOUTPUT=...
execute_process(COMMAND ${LMPD} admin --help OUTPUT_VARIABLE text RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${LMPD} admin --help failed: ${status}")
endif()
# roff: a backslash is \e, a minus \-, and a line starting with . or ' must not be a request.
string(REPLACE "\\" "\\e" text "${text}")
string(REPLACE "-" "\\-" text "${text}")
string(REGEX REPLACE "\n([.'])" "\n\\\\&\\1" text "${text}")
file(WRITE ${OUTPUT} "[ADMIN COMMANDS]\n.nf\n${text}.fi\n")
