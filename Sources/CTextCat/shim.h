#pragma once
#include <textcat.h>
