// The part of Huawei's DCMI (libdcmi.so) the NPU probe calls, declared from the public DCMI API reference.
// The probe never links these: it only takes their types (decltype) and finds them with dlsym. Test stubs
// implement the same declarations, so probe and stub cannot disagree about a signature.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

// Sizes in MB. memory_usage is the used part of memory_size, in the same unit (npu-smi's HBM-Usage(MB)).
struct dcmi_hbm_info {
  unsigned long long memory_size;
  unsigned int freq;
  unsigned long long memory_usage;
  int temp;
  unsigned int bandwith_util_rate;
};

// Chips without HBM report their DDR here; memory_size and memory_available are in MB.
struct dcmi_get_memory_info_stru {
  unsigned long long memory_size;
  unsigned long long memory_available;
  unsigned int freq;
  unsigned long hugepagesize;
  unsigned long hugepages_total;
  unsigned long hugepages_free;
  unsigned int utiliza;
  unsigned char reserve[60];
};

#define DCMI_MAX_CHIP_NAME_LEN 32

struct dcmi_chip_info {
  unsigned char chip_type[DCMI_MAX_CHIP_NAME_LEN];
  unsigned char chip_name[DCMI_MAX_CHIP_NAME_LEN];
  unsigned char chip_ver[DCMI_MAX_CHIP_NAME_LEN];
  unsigned int aicore_cnt;
};

// Every call returns 0 on success or a negative DCMI error code (-8001 and below).
int dcmi_init(void);
// card_list receives at most list_len card ids; DCMI documents at most 64 cards.
int dcmi_get_card_list(int *card_num, int *card_list, int list_len);
// The older name of dcmi_get_card_list, same signature; drivers that predate the new name have only this one.
int dcmi_get_card_num_list(int *card_num, int *card_list, int list_len);
// NPU chips on one card; their device ids are 0 .. device_num - 1.
int dcmi_get_device_num_in_card(int card_id, int *device_num);
// The logic id is the device number applications use (ACL device id, ASCEND_RT_VISIBLE_DEVICES).
int dcmi_get_device_logic_id(int *device_logic_id, int card_id, int device_id);
int dcmi_get_device_phyid_from_logicid(unsigned int logicid, unsigned int *phyid);
int dcmi_get_device_hbm_info(int card_id, int device_id, struct dcmi_hbm_info *hbm_info);
int dcmi_get_device_memory_info_v3(int card_id, int device_id, struct dcmi_get_memory_info_stru *memory_info);
int dcmi_get_device_chip_info(int card_id, int device_id, struct dcmi_chip_info *chip_info);

#ifdef __cplusplus
}
#endif
