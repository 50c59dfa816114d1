# The library's layers, bottom to top:
#
#   util -> engine -> schedulers, workloads -> study -> gym      (CLI, tests, examples on top)
#
# soc_add_layer(<layer> SOURCES src... [DEPENDS lower-layer...] [PUBLIC_INCLUDE dir...]
#               [PRIVATE_INCLUDE dir...] [LIBS external...] [DEFINES def...])
# defines two targets:
#   soc_<layer>     an OBJECT library with the layer's sources (compiled once; the
#                   bundled libsocsim is made of these objects);
#   socsim_<layer>  a STATIC archive of the layer alone that links only the archives
#                   of the layers it DEPENDS on.
# A layer sees the include directories of its DEPENDS and nothing else, so a
# header of a higher layer does not even compile; and tests/layers links every
# archive with --whole-archive against its lower layers only, so a call into a
# higher (or sibling) layer fails to link.
function(soc_add_layer layer)
  cmake_parse_arguments(L "" "" "SOURCES;DEPENDS;PUBLIC_INCLUDE;PRIVATE_INCLUDE;LIBS;DEFINES" ${ARGN})
  add_library(soc_${layer} OBJECT ${L_SOURCES})
  target_include_directories(soc_${layer} PUBLIC ${L_PUBLIC_INCLUDE} PRIVATE ${L_PRIVATE_INCLUDE})
  set(deps "")
  foreach(d IN LISTS L_DEPENDS)
    list(APPEND deps socsim_${d})
  endforeach()
  # an OBJECT library "linking" an archive takes its usage requirements only
  target_link_libraries(soc_${layer} PUBLIC ${deps} ${L_LIBS})
  if(L_DEFINES)
    target_compile_definitions(soc_${layer} PRIVATE ${L_DEFINES})
  endif()
  soc_warnings(soc_${layer})
  add_library(socsim_${layer} STATIC $<TARGET_OBJECTS:soc_${layer}>)
  target_include_directories(socsim_${layer} PUBLIC ${L_PUBLIC_INCLUDE})
  target_link_libraries(socsim_${layer} PUBLIC ${deps} ${L_LIBS})
  set_property(GLOBAL APPEND PROPERTY SOC_LAYERS ${layer})
  set_property(GLOBAL PROPERTY SOC_LAYER_DEPS_${layer} ${L_DEPENDS})
endfunction()
