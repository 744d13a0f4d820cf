#include "model/Graph.h"
