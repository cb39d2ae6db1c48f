// A stand-in for libdcmi.so built from the probe's own declarations: an 8-card host of one Ascend 910B3 chip
// per card, each with 64 GiB of HBM of which 2917 + 1024 * card MB are in use.
#include <string.h>

#include "dcmi_api.h"
#include "stub-behaviour.h"

static const int kCards = 8;

int dcmi_init(void) { return StubBehaviour("dcmi_init", 0); }

static int CardList(const char* name, int* card_num, int* card_list, int list_len) {
  const int code = StubBehaviour(name, 0);
  if (code != 0) return code;
  if (list_len < kCards) return -8001;
  for (int card = 0; card < kCards; ++card) card_list[card] = card;
  *card_num = kCards;
  return 0;
}

#ifndef STUB_ONLY_OLD_CARD_LIST
int dcmi_get_card_list(int* card_num, int* card_list, int list_len) {
  return CardList("dcmi_get_card_list", card_num, card_list, list_len);
}
#endif

int dcmi_get_card_num_list(int* card_num, int* card_list, int list_len) {
  return CardList("dcmi_get_card_num_list", card_num, card_list, list_len);
}

int dcmi_get_device_num_in_card(int card_id, int* device_num) {
  const int code = StubBehaviour("dcmi_get_device_num_in_card", card_id);
  if (code != 0) return code;
  if (card_id < 0 || card_id >= kCards) return -8007;
  *device_num = 1;
  return 0;
}

#ifndef STUB_WITHOUT_LOGIC_ID
int dcmi_get_device_logic_id(int* device_logic_id, int card_id, int device_id) {
  const int code = StubBehaviour("dcmi_get_device_logic_id", card_id);
  if (code != 0) return code;
  if (card_id < 0 || card_id >= kCards || device_id != 0) return -8007;
  *device_logic_id = card_id;
  return 0;
}
#endif

// Physical ids run the other way round, so a test can tell them from logic ids.
int dcmi_get_device_phyid_from_logicid(unsigned int logicid, unsigned int* phyid) {
  if (logicid >= kCards) return -8007;
  *phyid = kCards - 1 - logicid;
  return 0;
}

int dcmi_get_device_hbm_info(int card_id, int device_id, struct dcmi_hbm_info* hbm_info) {
  const int code = StubBehaviour("dcmi_get_device_hbm_info", card_id);
  if (code != 0) return code;
  if (card_id < 0 || card_id >= kCards || device_id != 0) return -8007;
  memset(hbm_info, 0, sizeof *hbm_info);
  hbm_info->memory_size = 65536;
  hbm_info->memory_usage = 2917 + 1024ull * (unsigned)card_id;
  hbm_info->freq = 1600;
  hbm_info->temp = 40;
  return 0;
}

int dcmi_get_device_chip_info(int card_id, int device_id, struct dcmi_chip_info* chip_info) {
  if (card_id < 0 || card_id >= kCards || device_id != 0) return -8007;
  memset(chip_info, 0, sizeof *chip_info);
  strcpy((char*)chip_info->chip_type, "Ascend");
  strcpy((char*)chip_info->chip_name, "910B3");
  strcpy((char*)chip_info->chip_ver, "V1");
  chip_info->aicore_cnt = 20;
  return 0;
}
